import type { CheckpointRecord, JobMeta, ShardAck, ShardCursor } from '../../core/ports/index.js';

/** Valid checkpoint-store values with overridable fields, so each test states only what matters. */

export const JOB = 'job-a';

export function aJob(overrides: Partial<JobMeta> = {}): JobMeta {
  return {
    jobId: JOB,
    generation: 1,
    status: 'RUNNING',
    lastCheckpointId: 0,
    version: 1,
    failures: [{ atMs: 500, reason: 'boom' }],
    updatedAtMs: 1_000,
    ...overrides,
  };
}

export function aCheckpoint(
  checkpointId: number,
  overrides: Partial<CheckpointRecord> = {},
): CheckpointRecord {
  return {
    checkpointId,
    kind: 'CHECKPOINT',
    status: 'PENDING',
    generation: 1,
    triggerTimeMs: 2_000 + checkpointId,
    expectedShards: ['shardId-000000000000', 'shardId-000000000001'],
    storagePrefix: `checkpoints/${JOB}/chk-${checkpointId}`,
    ...overrides,
  };
}

export function anAck(checkpointId: number, shardId: string, overrides: Partial<ShardAck> = {}): ShardAck {
  return {
    checkpointId,
    shardId,
    generation: 1,
    sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
    snapshot: {
      ref: { key: `chk-${checkpointId}/${shardId}.snap`, sha256: 'ab'.repeat(32), sizeBytes: 4_096 },
    },
    ackTimeMs: 3_000,
    ...overrides,
  };
}

/** Deterministic bytes (every byte value appears), so a round trip that mangles one is seen. */
export function patternBytes(sizeBytes: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) bytes[i] = (i * 31 + seed * 7) % 256;
  return bytes;
}

export function anInlineAck(checkpointId: number, shardId: string, bytes: Uint8Array): ShardAck {
  return anAck(checkpointId, shardId, {
    snapshot: { inline: bytes, sha256: 'cd'.repeat(32), sizeBytes: bytes.byteLength },
  });
}

export function aCursor(shardId: string, overrides: Partial<ShardCursor> = {}): ShardCursor {
  return {
    shardId,
    version: 1,
    generation: 1,
    initialSequenceNumber: '49590338271490256608559692538361571095921575989136588800',
    updatedAtMs: 1_000,
    ...overrides,
  };
}

export function shardId(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be rejected, but it resolved');
}
