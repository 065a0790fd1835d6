import type {
  AggregatingState,
  ListState,
  MapState,
  MapStateKey,
  ReducingState,
  ValueState,
} from './keyed-state.js';

/** Type-only marker carrying the state interface a descriptor produces; never set at run time. */
declare const stateType: unique symbol;

interface DescriptorOf<TState> {
  readonly [stateType]?: TState;
}

export interface ValueStateDescriptor<T, V extends T | undefined = T | undefined>
  extends DescriptorOf<ValueState<T, V>> {
  readonly kind: 'value';
  readonly defaultValue: V;
}

export interface MapStateDescriptor<K extends MapStateKey, V> extends DescriptorOf<MapState<K, V>> {
  readonly kind: 'map';
}

export interface ListStateDescriptor<T> extends DescriptorOf<ListState<T>> {
  readonly kind: 'list';
}

export interface ReducingStateDescriptor<T> extends DescriptorOf<ReducingState<T>> {
  readonly kind: 'reducing';
  readonly reduce: (a: T, b: T) => T;
}

/** As Flink's AggregateFunction: `add` may mutate and return the accumulator. */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
}

export interface AggregatingStateDescriptor<IN, ACC, OUT> extends DescriptorOf<AggregatingState<IN, OUT>> {
  readonly kind: 'aggregating';
  /** Called as methods, so a class instance works too. */
  readonly aggregate: AggregateFunction<IN, ACC, OUT>;
}

export type StateDescriptor =
  // biome-ignore lint/suspicious/noExplicitAny: the union of every descriptor, whatever its value types
  | ValueStateDescriptor<any, any>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  | MapStateDescriptor<any, any>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  | ListStateDescriptor<any>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  | ReducingStateDescriptor<any>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  | AggregatingStateDescriptor<any, any, any>;

export type StateKind = StateDescriptor['kind'];

/** The `state` section of an operator: state name -> descriptor. */
export type StateDescriptors = Record<string, StateDescriptor>;

/** `ctx.state`: the state objects the descriptors produce, by name. */
export type KeyedStates<S extends StateDescriptors> = {
  readonly [N in keyof S]: S[N] extends DescriptorOf<infer TState> ? TState : never;
};

export function valueState<T>(): ValueStateDescriptor<T, T | undefined>;
export function valueState<T>(options: { default: T }): ValueStateDescriptor<T, T>;
export function valueState<T>(options?: { default?: T }): ValueStateDescriptor<T, T | undefined> {
  return { kind: 'value', defaultValue: options?.default };
}

export function mapState<K extends MapStateKey, V>(): MapStateDescriptor<K, V> {
  return { kind: 'map' };
}

export function listState<T>(): ListStateDescriptor<T> {
  return { kind: 'list' };
}

export function reducingState<T>(reduce: (a: T, b: T) => T): ReducingStateDescriptor<T> {
  return { kind: 'reducing', reduce };
}

export function aggregatingState<IN, ACC, OUT>(
  fn: AggregateFunction<IN, ACC, OUT>,
): AggregatingStateDescriptor<IN, ACC, OUT> {
  return { kind: 'aggregating', aggregate: fn };
}
