import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StorageUnavailableError } from '../../core/errors/index.js';
import type { MemorySnapshotStore } from '../../core/memory/memory-snapshot-store.js';
import type { SnapshotRef, SnapshotStore, StoredObject } from '../../core/ports/snapshot-store.js';
import type { FaultPlan } from './fault-classes.js';

/** Flips one byte of a stored object behind the store's back (bit rot, a bad write). */
export type SnapshotCorrupter = (key: string) => Promise<void>;

export function memoryCorrupter(snapshots: MemorySnapshotStore): SnapshotCorrupter {
  return async (key) =>
    snapshots.corrupt(key, (bytes) => {
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x5a;
    });
}

/** Rewrites the object with one byte flipped (s3rver ignores conditional PUT, so an overwrite works). */
export function s3Corrupter(client: S3Client, bucket: string): SnapshotCorrupter {
  return async (key) => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = new Uint8Array(await out.Body!.transformToByteArray());
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0x5a;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
  };
}

/**
 * Wraps any SnapshotStore so that seeded puts and gets fail with a 5xx (a put
 * either before or after the object landed), and seeded uploads are corrupted
 * right after they succeed: the caller holds a SHA-256 that no longer matches.
 */
export class FaultySnapshotStore implements SnapshotStore {
  constructor(
    private readonly inner: SnapshotStore,
    private readonly plan: FaultPlan,
    private readonly corrupt: SnapshotCorrupter,
  ) {}

  async put(key: string, bytes: Uint8Array): Promise<SnapshotRef> {
    if (this.plan.fires('s3-5xx', '5xx before put')) throw unavailable('PUT', key, 'nothing was stored');
    const ref = await this.inner.put(key, bytes);
    if (this.plan.fires('s3-5xx', '5xx after put')) throw unavailable('PUT', key, 'the object was stored');
    if (this.plan.fires('snapshot-corruption', 'corrupted upload')) await this.corrupt(key);
    return ref;
  }

  async get(ref: SnapshotRef): Promise<Uint8Array> {
    if (this.plan.fires('s3-5xx', '5xx on get')) throw unavailable('GET', ref.key, 'nothing was read');
    return this.inner.get(ref);
  }

  async getObject(key: string): Promise<Uint8Array> {
    if (this.plan.fires('s3-5xx', '5xx on get')) throw unavailable('GET', key, 'nothing was read');
    return this.inner.getObject(key);
  }

  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }

  list(prefix: string): AsyncIterable<StoredObject> {
    return this.inner.list(prefix);
  }
}

function unavailable(verb: string, key: string, outcome: string): StorageUnavailableError {
  return new StorageUnavailableError(
    `injected fault: S3 ${verb} ${key} returned 503 after the adapter's retries (${outcome}); retry the call`,
  );
}
