import { describe, expect, it } from 'vitest';
import { tryCompleteCheckpoint } from '../../../core/checkpoint/checkpoint-completion.js';
import { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import {
  MemorySnapshotStore,
  type SnapshotStoreOperation,
} from '../../../core/memory/memory-snapshot-store.js';
import type { AckedSnapshot } from '../../../core/ports/checkpoint-store.js';
import { systemClock } from '../../../core/ports/clock.js';
import { sha256Hex } from '../../../core/snapshot/index.js';

const JOB = 'job-verify';
const SHARDS = ['shard-a', 'shard-b'];

/** A PENDING checkpoint 1 acked by every shard with the given snapshots, and a store that counts reads. */
async function ackedCheckpoint(
  snapshotFor: (snapshots: MemorySnapshotStore, shardId: string) => Promise<AckedSnapshot>,
) {
  const reads: SnapshotStoreOperation[] = [];
  const snapshots = new MemorySnapshotStore({
    faults: {
      before(operation) {
        if (operation === 'get' || operation === 'getObject') reads.push(operation);
      },
    },
  });
  const store = new MemoryCheckpointStore();
  await store.createJob({
    jobId: JOB,
    generation: 1,
    status: 'RUNNING',
    lastCheckpointId: 1,
    version: 1,
    failures: [],
    updatedAtMs: 0,
  });
  await store.createCheckpoint(JOB, {
    checkpointId: 1,
    kind: 'CHECKPOINT',
    status: 'PENDING',
    generation: 1,
    triggerTimeMs: 0,
    expectedShards: SHARDS,
    storagePrefix: `checkpoints/${JOB}/chk-1`,
  });
  for (const shardId of SHARDS) {
    await store.putAck(JOB, {
      checkpointId: 1,
      shardId,
      generation: 1,
      sequenceNumber: '10',
      snapshot: await snapshotFor(snapshots, shardId),
      ackTimeMs: 0,
    });
  }
  return { deps: { store, snapshots, clock: systemClock }, store, reads };
}

describe('snapshot verification at checkpoint completion (invariant 2, verified on upload)', () => {
  it('completes a checkpoint whose snapshots are in the store without reading any of them back', async () => {
    // Prepare: the refs come from put, which refused bytes that did not match their SHA-256
    const { deps, store, reads } = await ackedCheckpoint(async (snapshots, shardId) => {
      const bytes = new TextEncoder().encode(`state of ${shardId}`);
      return { ref: await snapshots.put(`checkpoints/${JOB}/chk-1/${shardId}.snap`, bytes) };
    });

    // Act
    const result = await tryCompleteCheckpoint(deps, JOB, 1);

    // Assess
    expect(result.status).toBe('COMPLETED');
    expect(reads).toEqual([]);
    expect((await store.getJob(JOB))?.latestCheckpointId).toBe(1);
  });

  it('declines a checkpoint whose inline snapshot does not match its SHA-256, naming the shard', async () => {
    // Prepare
    const { deps, store } = await ackedCheckpoint(async (_snapshots, shardId) => {
      const inline = new TextEncoder().encode(`state of ${shardId}`);
      const sha256 = sha256Hex(inline);
      if (shardId === 'shard-b') inline[0] = (inline[0] ?? 0) ^ 0xff;
      return { inline, sha256, sizeBytes: inline.length };
    });

    // Act
    const result = await tryCompleteCheckpoint(deps, JOB, 1);

    // Assess
    expect(result).toMatchObject({ status: 'ABORTED' });
    const record = await store.getCheckpoint(JOB, 1);
    expect(record).toMatchObject({ status: 'ABORTED', abortReason: 'CHECKPOINT_DECLINED' });
    expect(record?.failureReason).toMatch(/snapshot verification failed: inline snapshot of shard shard-b/);
    expect((await store.getJob(JOB))?.latestCheckpointId).toBeUndefined();
  });
});
