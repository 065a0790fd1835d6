import { StorageUnavailableError } from '../../core/errors/index.js';
import type {
  PutOptions,
  SnapshotRef,
  SnapshotStore,
  StoredObject,
} from '../../core/ports/snapshot-store.js';
import { sha256Hex } from '../../core/snapshot/index.js';
import type { FaultPlan } from './fault-classes.js';

/**
 * Wraps any SnapshotStore so that seeded puts and gets fail with a 5xx (a put
 * either before or after the object landed), and seeded uploads are corrupted in
 * transit: the store receives bytes with one byte flipped, together with the
 * SHA-256 the caller computed from its own bytes, and must refuse them (S3's
 * BadDigest) so that no checkpoint ever references bytes its ack's hash does not
 * describe. Bit rot after a good upload is no campaign class: restore and cold
 * start catch it (their own tests corrupt stored bytes directly).
 */
export class FaultySnapshotStore implements SnapshotStore {
  constructor(
    private readonly inner: SnapshotStore,
    private readonly plan: FaultPlan,
  ) {}

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<SnapshotRef> {
    if (this.plan.fires('s3-5xx', '5xx before put')) throw unavailable('PUT', key, 'nothing was stored');
    const sha256 = options.sha256 ?? sha256Hex(bytes);
    const sent = this.plan.fires('snapshot-corruption', 'corrupted in transit') ? flipOneByte(bytes) : bytes;
    const ref = await this.inner.put(key, sent, { sha256 });
    if (this.plan.fires('s3-5xx', '5xx after put')) throw unavailable('PUT', key, 'the object was stored');
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

/** A copy with its middle byte flipped (an empty body has nothing to flip: it gains a byte). */
function flipOneByte(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return new Uint8Array([0x5a]);
  const copy = new Uint8Array(bytes);
  const at = Math.floor(copy.length / 2);
  copy[at] = (copy[at] ?? 0) ^ 0x5a;
  return copy;
}
