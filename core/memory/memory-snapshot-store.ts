import {
  sha256Hex,
  uploadSha256,
  verifySnapshotBytes,
  verifyUploadBytes,
} from '../aws/snapshot-integrity.js';
import { CheckpointError, NotFoundError } from '../errors/index.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { PutOptions, SnapshotRef, SnapshotStore, StoredObject } from '../ports/snapshot-store.js';

export type SnapshotStoreOperation = 'put' | 'get' | 'getObject' | 'delete' | 'list';

/**
 * Fault injection for tests. `before` throwing: the operation did nothing.
 * `after` throwing: it did happen, but the caller sees a failure (an ambiguous write).
 */
export interface SnapshotStoreFaults {
  before?(operation: SnapshotStoreOperation, args: readonly unknown[]): void | Promise<void>;
  after?(operation: SnapshotStoreOperation, args: readonly unknown[]): void | Promise<void>;
}

export interface MemorySnapshotStoreOptions {
  faults?: SnapshotStoreFaults;
  clock?: Clock;
}

interface StoredBytes {
  bytes: Uint8Array;
  lastModifiedMs: number;
}

/**
 * SnapshotStore in a Map, with the S3 adapter's semantics: bytes refused on put
 * when they do not match the caller's SHA-256 (S3's BadDigest), copied in and
 * out, size and SHA-256 verified on read, write-once keys (same bytes again is
 * accepted, different bytes is a ConditionFailed), missing deletes ignored,
 * listing in key order.
 */
export class MemorySnapshotStore implements SnapshotStore {
  /** Replaceable at any time by a test. */
  faults: SnapshotStoreFaults;
  private readonly objects = new Map<string, StoredBytes>();
  private readonly clock: Clock;

  constructor(options: MemorySnapshotStoreOptions = {}) {
    this.faults = options.faults ?? {};
    this.clock = options.clock ?? systemClock;
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<SnapshotRef> {
    await this.faults.before?.('put', [key, bytes]);
    const ref: SnapshotRef = { key, sha256: uploadSha256(bytes, options), sizeBytes: bytes.length };
    if (options.sha256 !== undefined) verifyUploadBytes(ref.sha256, bytes, this.location(key));
    const existing = this.objects.get(key);
    if (existing && sha256Hex(existing.bytes) !== ref.sha256) {
      throw new CheckpointError(
        'CONDITION_FAILED',
        `${this.location(key)} already holds different bytes: snapshot keys are written once, ` +
          'build a new key (fresh unique id) for every snapshot',
      );
    }
    this.objects.set(key, { bytes: new Uint8Array(bytes), lastModifiedMs: this.clock.nowMs() });
    await this.faults.after?.('put', [key, bytes]);
    return ref;
  }

  async get(ref: SnapshotRef): Promise<Uint8Array> {
    await this.faults.before?.('get', [ref]);
    const stored = this.objects.get(ref.key);
    if (!stored) {
      throw new NotFoundError(`snapshot ${this.location(ref.key)} does not exist (deleted or never written)`);
    }
    verifySnapshotBytes(ref, stored.bytes, this.location(ref.key));
    const bytes = new Uint8Array(stored.bytes);
    await this.faults.after?.('get', [ref]);
    return bytes;
  }

  async getObject(key: string): Promise<Uint8Array> {
    await this.faults.before?.('getObject', [key]);
    const stored = this.objects.get(key);
    if (!stored) throw new NotFoundError(`${this.location(key)} does not exist`);
    const bytes = new Uint8Array(stored.bytes);
    await this.faults.after?.('getObject', [key]);
    return bytes;
  }

  async delete(keys: string[]): Promise<void> {
    await this.faults.before?.('delete', [keys]);
    for (const key of keys) this.objects.delete(key);
    await this.faults.after?.('delete', [keys]);
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    await this.faults.before?.('list', [prefix]);
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (const key of keys) {
      const stored = this.objects.get(key);
      if (stored) yield { key, sizeBytes: stored.bytes.length, lastModifiedMs: stored.lastModifiedMs };
    }
    await this.faults.after?.('list', [prefix]);
  }

  /** Test helper: changes stored bytes in place (or replaces them with what `mutate` returns). */
  // biome-ignore lint/suspicious/noConfusingVoidType: lets a test pass a mutating block that returns nothing
  corrupt(key: string, mutate: (bytes: Uint8Array) => Uint8Array | void): void {
    const stored = this.objects.get(key);
    if (!stored) throw new NotFoundError(`cannot corrupt ${this.location(key)}: it does not exist`);
    const replaced = mutate(stored.bytes);
    if (replaced) stored.bytes = new Uint8Array(replaced);
  }

  has(key: string): boolean {
    return this.objects.has(key);
  }

  keys(): string[] {
    return [...this.objects.keys()].sort();
  }

  private location(key: string): string {
    return `memory://${key}`;
  }
}
