import type { Item } from '../aws/dynamodb-items.js';
import type { ItemKey } from '../aws/dynamodb-keys.js';

/**
 * A pk/sk table in memory holding the very items the DynamoDB adapter writes
 * (same mappers, same keys), so both stores agree on content and order. Items
 * are copied in and out: callers can never mutate what is stored.
 */
export class MemoryTable {
  private readonly partitions = new Map<string, Map<string, Item>>();

  get(key: ItemKey): Item | undefined {
    const item = this.partitions.get(key.pk)?.get(key.sk);
    return item && copy(item);
  }

  put(item: Item): void {
    const pk = item.pk?.S;
    const sk = item.sk?.S;
    if (pk === undefined || sk === undefined) throw new Error('MemoryTable.put: item without pk/sk strings');
    let partition = this.partitions.get(pk);
    if (!partition) {
      partition = new Map();
      this.partitions.set(pk, partition);
    }
    partition.set(sk, copy(item));
  }

  delete(key: ItemKey): void {
    const partition = this.partitions.get(key.pk);
    partition?.delete(key.sk);
    if (partition?.size === 0) this.partitions.delete(key.pk);
  }

  /** Items of `pk` whose sk starts with `skPrefix`, in DynamoDB's order (UTF-8 bytes of sk). */
  query(pk: string, skPrefix: string): Item[] {
    const partition = this.partitions.get(pk);
    if (!partition) return [];
    return [...partition.keys()]
      .filter((sk) => sk.startsWith(skPrefix))
      .sort(byUtf8)
      .map((sk) => copy(partition.get(sk)!));
  }

  /**
   * Every item in DynamoDB JSON (binary as base64), keyed "<pk> <sk>", keys sorted
   * at every level: JSON.stringify of two dumps is equal iff the tables are.
   */
  dump(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const pks = [...this.partitions.keys()].sort(byUtf8);
    for (const pk of pks) {
      const partition = this.partitions.get(pk)!;
      for (const sk of [...partition.keys()].sort(byUtf8)) out[`${pk} ${sk}`] = canonical(partition.get(sk));
    }
    return out;
  }
}

function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Deep copy; binary values get their own buffer (structuredClone would keep a view's whole buffer). */
function copy<T>(value: T): T {
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  }
  return value;
}

function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => byUtf8(a, b));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}
