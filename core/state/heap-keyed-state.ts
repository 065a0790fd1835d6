import type { AggregateFunction } from './descriptors.js';
import { describeValue, StateRestoreError } from './errors.js';
import type { KeyContext } from './key-context.js';
import type {
  AggregatingState,
  ListState,
  MapState,
  MapStateKey,
  ReducingState,
  ValueState,
} from './keyed-state.js';
import type { KeyedStateTableView } from './snapshot-content.js';

const EMPTY_LIST: readonly never[] = Object.freeze([]);
const EMPTY_MAP: ReadonlyMap<never, never> = new Map<never, never>();

/**
 * One keyed state of the heap backend: key -> stored value in a Map (insertion order
 * is the snapshot order). A key with nothing in it has no entry at all (an empty map
 * or list is removed), so the snapshot of a state is canonical whatever its history.
 */
export abstract class HeapKeyedState<Stored> {
  table = new Map<string, Stored>();

  constructor(
    readonly name: string,
    protected readonly keyContext: KeyContext,
  ) {}

  clear(): void {
    this.table.delete(this.key());
  }

  /** [key, snapshot value] pairs; copies every container this state mutates in place. */
  capture(): Array<[string, unknown]> {
    return Array.from(this.table);
  }

  /** The live table, for an encoder that reads it before any user code runs again. */
  view(): KeyedStateTableView {
    return { table: this.table, valuesAreMaps: false };
  }

  /** Builds a new table from snapshot pairs, sharing no container with them. Throws StateRestoreError. */
  tableFrom(entries: unknown, path: string): Map<string, Stored> {
    if (!Array.isArray(entries)) {
      throw new StateRestoreError(
        path,
        `expected an array of [key, value] pairs, found ${describeValue(entries)}.`,
      );
    }
    const table = new Map<string, Stored>();
    for (let i = 0; i < entries.length; i++) {
      const pair: unknown = entries[i];
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
        throw new StateRestoreError(
          `${path}[${i}]`,
          `expected a [string key, value] pair, found ${describeValue(pair)}.`,
        );
      }
      if (table.has(pair[0])) throw new StateRestoreError(`${path}[${i}]`, `key '${pair[0]}' appears twice.`);
      const stored = this.storedFrom(pair[1], `${path}[${i}][1]`);
      if (stored !== undefined) table.set(pair[0], stored);
    }
    return table;
  }

  /** Snapshot value -> stored value (undefined: nothing to store). */
  protected storedFrom(value: unknown, path: string): Stored | undefined {
    if (value === undefined) throw new StateRestoreError(path, 'expected a value, found undefined.');
    return value as Stored;
  }

  protected key(): string {
    const key = this.keyContext.currentKey;
    return key === null ? this.keyContext.missing(this.name) : key;
  }
}

export class HeapValueState<T> extends HeapKeyedState<T> implements ValueState<T> {
  constructor(
    name: string,
    keys: KeyContext,
    private readonly defaultValue: T | undefined,
  ) {
    super(name, keys);
  }

  value(): T | undefined {
    const value = this.table.get(this.key());
    return value === undefined ? this.defaultValue : value;
  }

  update(value: T | undefined): void {
    if (value === undefined) this.table.delete(this.key());
    else this.table.set(this.key(), value);
  }
}

export class HeapMapState<K extends MapStateKey, V>
  extends HeapKeyedState<Map<K, V>>
  implements MapState<K, V>
{
  get(mapKey: K): V | undefined {
    return this.table.get(this.key())?.get(mapKey);
  }

  put(mapKey: K, value: V): void {
    this.mapForWrite().set(mapKey, value);
  }

  putAll(entries: Iterable<readonly [K, V]>): void {
    const key = this.key();
    for (const [mapKey, value] of entries) this.mapForWrite(key).set(mapKey, value);
  }

  remove(mapKey: K): void {
    const key = this.key();
    const map = this.table.get(key);
    if (map?.delete(mapKey) && map.size === 0) this.table.delete(key);
  }

  contains(mapKey: K): boolean {
    return this.table.get(this.key())?.has(mapKey) ?? false;
  }

  entries(): IterableIterator<[K, V]> {
    return (this.table.get(this.key()) ?? (EMPTY_MAP as ReadonlyMap<K, V>)).entries();
  }

  keys(): IterableIterator<K> {
    return (this.table.get(this.key()) ?? (EMPTY_MAP as ReadonlyMap<K, V>)).keys();
  }

  values(): IterableIterator<V> {
    return (this.table.get(this.key()) ?? (EMPTY_MAP as ReadonlyMap<K, V>)).values();
  }

  isEmpty(): boolean {
    return !this.table.has(this.key());
  }

  override capture(): Array<[string, unknown]> {
    return Array.from(this.table, ([key, map]) => [key, Array.from(map)]);
  }

  override view(): KeyedStateTableView {
    return { table: this.table, valuesAreMaps: true };
  }

  protected override storedFrom(value: unknown, path: string): Map<K, V> | undefined {
    if (!Array.isArray(value)) {
      throw new StateRestoreError(
        path,
        `expected an array of [mapKey, value] pairs, found ${describeValue(value)}.`,
      );
    }
    if (value.length === 0) return undefined;
    const map = new Map<K, V>();
    for (let i = 0; i < value.length; i++) {
      const pair: unknown = value[i];
      if (
        !Array.isArray(pair) ||
        pair.length !== 2 ||
        (typeof pair[0] !== 'string' && typeof pair[0] !== 'number')
      ) {
        throw new StateRestoreError(
          `${path}[${i}]`,
          `expected a [string or number map key, value] pair, found ${describeValue(pair)}.`,
        );
      }
      map.set(pair[0] as K, pair[1] as V);
    }
    return map;
  }

  private mapForWrite(key = this.key()): Map<K, V> {
    let map = this.table.get(key);
    if (map === undefined) {
      map = new Map();
      this.table.set(key, map);
    }
    return map;
  }
}

export class HeapListState<T> extends HeapKeyedState<T[]> implements ListState<T> {
  get(): readonly T[] {
    return this.table.get(this.key()) ?? EMPTY_LIST;
  }

  add(value: T): void {
    const key = this.key();
    const list = this.table.get(key);
    if (list === undefined) this.table.set(key, [value]);
    else list.push(value);
  }

  addAll(values: Iterable<T>): void {
    const key = this.key();
    let list = this.table.get(key);
    for (const value of values) {
      if (list === undefined) {
        list = [];
        this.table.set(key, list);
      }
      list.push(value);
    }
  }

  update(values: Iterable<T>): void {
    const key = this.key();
    const list = Array.from(values);
    if (list.length === 0) this.table.delete(key);
    else this.table.set(key, list);
  }

  override capture(): Array<[string, unknown]> {
    return Array.from(this.table, ([key, list]) => [key, list.slice()]);
  }

  protected override storedFrom(value: unknown, path: string): T[] | undefined {
    if (!Array.isArray(value)) {
      throw new StateRestoreError(path, `expected an array, found ${describeValue(value)}.`);
    }
    return value.length === 0 ? undefined : (value.slice() as T[]);
  }
}

export class HeapReducingState<T> extends HeapKeyedState<T> implements ReducingState<T> {
  constructor(
    name: string,
    keys: KeyContext,
    private readonly reduce: (a: T, b: T) => T,
  ) {
    super(name, keys);
  }

  get(): T | undefined {
    return this.table.get(this.key());
  }

  add(value: T): void {
    const key = this.key();
    const current = this.table.get(key);
    const next = current === undefined ? value : this.reduce(current, value);
    if (next === undefined) this.table.delete(key);
    else this.table.set(key, next);
  }
}

export class HeapAggregatingState<IN, ACC, OUT>
  extends HeapKeyedState<ACC>
  implements AggregatingState<IN, OUT>
{
  constructor(
    name: string,
    keys: KeyContext,
    private readonly aggregate: AggregateFunction<IN, ACC, OUT>,
  ) {
    super(name, keys);
  }

  get(): OUT | undefined {
    const accumulator = this.table.get(this.key());
    return accumulator === undefined ? undefined : this.aggregate.getResult(accumulator);
  }

  add(value: IN): void {
    const key = this.key();
    const accumulator = this.table.get(key) ?? this.aggregate.createAccumulator();
    this.table.set(key, this.aggregate.add(value, accumulator));
  }
}
