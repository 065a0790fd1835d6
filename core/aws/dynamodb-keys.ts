import { BadInputError } from '../errors/index.js';
import type { CheckpointKind, ShardAck, ShardCursor } from '../ports/index.js';

/**
 * The key layout of the checkpoint table (see core/ports/checkpoint-store.ts) and
 * the input limits it implies. Pure (no SDK import), so the in-memory store checks
 * exactly the same limits and both stores reject the same bad input, changing nothing.
 */

import { ACK_SLOTS, CHECKPOINT_ID_DIGITS, MAX_CHECKPOINT_ID } from '../ports/checkpoint-store.js';

export { ACK_SLOTS, CHECKPOINT_ID_DIGITS, MAX_CHECKPOINT_ID };
/**
 * Inline snapshots ride in the ack item; DynamoDB caps an item at 400 KB, so we
 * keep a margin for the other attributes. Bigger snapshots belong in S3.
 */
export const MAX_INLINE_SNAPSHOT_BYTES = 350 * 1024;

/** Well under DynamoDB's key limits (2048 bytes pk, 1024 bytes sk); Kinesis shard ids have at most 128. */
export const MAX_ID_BYTES = 256;

export const META_SK = 'META';
export const CHECKPOINT_SK_PREFIX = 'CKPT#';
export const ACK_SK_PREFIX = 'ACK#';
export const CURSOR_SK_PREFIX = 'SHARD#';

export interface ItemKey {
  pk: string;
  sk: string;
}

export function jobPk(jobId: string): string {
  return `JOB#${jobId}`;
}

export function paddedCheckpointId(checkpointId: number): string {
  return String(checkpointId).padStart(CHECKPOINT_ID_DIGITS, '0');
}

export function metaKey(jobId: string): ItemKey {
  return { pk: jobPk(jobId), sk: META_SK };
}

export function checkpointKey(jobId: string, checkpointId: number): ItemKey {
  return { pk: jobPk(jobId), sk: `${CHECKPOINT_SK_PREFIX}${paddedCheckpointId(checkpointId)}` };
}

/**
 * Prefix of the acks of one checkpoint: a savepoint's own (the id, zero-padded;
 * the trailing '#' keeps id 1 apart from id 10), or a periodic checkpoint's slot
 * (`S` + id mod ACK_SLOTS), which the acks of later checkpoints overwrite.
 */
export function ackPrefix(checkpointId: number, kind: CheckpointKind = 'CHECKPOINT'): string {
  if (kind === 'SAVEPOINT') return `${ACK_SK_PREFIX}${paddedCheckpointId(checkpointId)}#`;
  return `${ACK_SK_PREFIX}S${String(checkpointId % ACK_SLOTS).padStart(3, '0')}#`;
}

export function ackKey(
  jobId: string,
  checkpointId: number,
  shardId: string,
  kind: CheckpointKind = 'CHECKPOINT',
): ItemKey {
  return { pk: jobPk(jobId), sk: `${ackPrefix(checkpointId, kind)}${shardId}` };
}

export function cursorKey(jobId: string, shardId: string): ItemKey {
  return { pk: jobPk(jobId), sk: `${CURSOR_SK_PREFIX}${shardId}` };
}

// --- input checks ---------------------------------------------------------

function assertId(name: string, value: unknown, hint: string): asserts value is string {
  const sizeBytes = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;
  if (typeof value !== 'string' || sizeBytes === 0 || sizeBytes > MAX_ID_BYTES) {
    const found = typeof value === 'string' ? `${sizeBytes} bytes` : JSON.stringify(value);
    throw new BadInputError(
      `${name}: expected a non-empty string of at most ${MAX_ID_BYTES} UTF-8 bytes, found ${found}; ${hint}`,
    );
  }
}

export function assertJobId(jobId: unknown): asserts jobId is string {
  assertId('jobId', jobId, "pass the job's name");
}

export function assertShardId(shardId: unknown): asserts shardId is string {
  assertId('shardId', shardId, 'pass the Kinesis shard id');
}

export function assertCheckpointId(checkpointId: unknown): asserts checkpointId is number {
  if (
    typeof checkpointId !== 'number' ||
    !Number.isSafeInteger(checkpointId) ||
    checkpointId < 0 ||
    checkpointId > MAX_CHECKPOINT_ID
  ) {
    throw new BadInputError(
      `checkpointId: expected an integer from 0 to ${MAX_CHECKPOINT_ID}, found ${String(checkpointId)}; ` +
        'use an id from allocateCheckpointId',
    );
  }
}

export function assertVersion(name: string, version: unknown): asserts version is number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new BadInputError(`${name}: expected a non-negative integer version, found ${String(version)}`);
  }
}

export function assertAck(ack: ShardAck): void {
  assertCheckpointId(ack.checkpointId);
  assertShardId(ack.shardId);
  const snapshot = ack.snapshot;
  if ('inline' in snapshot) {
    if (!(snapshot.inline instanceof Uint8Array)) {
      throw new BadInputError('ack.snapshot.inline: expected a Uint8Array of snapshot bytes');
    }
    if (snapshot.inline.byteLength !== snapshot.sizeBytes) {
      throw new BadInputError(
        `ack.snapshot.sizeBytes: expected the inline length ${snapshot.inline.byteLength}, ` +
          `found ${snapshot.sizeBytes}`,
      );
    }
    if (snapshot.inline.byteLength > MAX_INLINE_SNAPSHOT_BYTES) {
      throw new BadInputError(
        `ack.snapshot.inline: ${snapshot.inline.byteLength} bytes exceed the inline cap of ` +
          `${MAX_INLINE_SNAPSHOT_BYTES} bytes; upload the snapshot and ack with a reference`,
      );
    }
  }
}

export function assertCursor(cursor: ShardCursor): void {
  assertShardId(cursor.shardId);
  assertVersion('cursor.version', cursor.version);
}

/** A replaced cursor must fence every writer still holding `expectedVersion`. */
export function assertReplacementVersion(expectedVersion: number, cursor: ShardCursor): void {
  assertVersion('expectedVersion', expectedVersion);
  assertCursor(cursor);
  if (cursor.version <= expectedVersion) {
    throw new BadInputError(
      `cursor.version: expected more than the replaced version ${expectedVersion}, found ` +
        `${cursor.version}; a writer holding the old version would not be fenced`,
    );
  }
}

export function assertSameJob(jobId: string, metaJobId: string): void {
  if (metaJobId !== jobId) {
    throw new BadInputError(
      `job.jobId: expected ${JSON.stringify(jobId)} (the job being updated), found ${JSON.stringify(metaJobId)}`,
    );
  }
}
