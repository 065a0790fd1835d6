/**
 * The keyed state primitives a user operator sees, named as in Flink. Each one is
 * scoped to the current key: the partition key of the record being processed, or the
 * key of the timer firing. Values are stored by reference: treat what you read as
 * immutable and write a new value with update/put/add instead of mutating it in place
 * (see OperatorRuntime.captureSnapshot for why).
 */

export interface ValueState<T, V extends T | undefined = T | undefined> {
  /** The key's value, or the descriptor's default (undefined without one) when unset. */
  value(): V;
  /** Sets the key's value; `undefined` clears it. */
  update(value: T | undefined): void;
  clear(): void;
}

export type MapStateKey = string | number;

export interface MapState<K extends MapStateKey, V> {
  get(mapKey: K): V | undefined;
  put(mapKey: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(mapKey: K): void;
  contains(mapKey: K): boolean;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
  clear(): void;
}

export interface ListState<T> {
  /** The key's list (empty when unset). A live read-only view: copy it to keep it past the next add. */
  get(): readonly T[];
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  /** Replaces the key's list with a copy of `values`. */
  update(values: Iterable<T>): void;
  clear(): void;
}

export interface ReducingState<T> {
  /** The reduction of everything added for the key, or undefined when nothing was. */
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

export interface AggregatingState<IN, OUT> {
  /** getResult(accumulator) for the key, or undefined when nothing was added. */
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}
