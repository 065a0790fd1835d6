import { describe, expect, it } from 'vitest';
import { checkpointPrefix } from '../../core/checkpoint/storage-location.js';
import type { MemorySnapshotStore } from '../../core/memory/memory-snapshot-store.js';
import type { CheckpointStatus, JobMeta } from '../../core/ports/checkpoint-store.js';
import { auditStorage } from '../../local/faults/campaign-audit.js';
import { memoryParts, type PipelineParts } from '../../local/pipeline/parts.js';

const jobId = 'job-audit';
const job: JobMeta = {
  jobId,
  generation: 1,
  status: 'RUNNING',
  lastCheckpointId: 2,
  version: 1,
  failures: [],
  updatedAtMs: 0,
};

async function checkpointWithSnapshot(parts: PipelineParts, checkpointId: number, status: CheckpointStatus) {
  const prefix = checkpointPrefix('checkpoints', jobId, checkpointId);
  await parts.store.createCheckpoint(jobId, {
    checkpointId,
    kind: 'CHECKPOINT',
    status,
    generation: 1,
    triggerTimeMs: 0,
    expectedShards: ['shard-a'],
    storagePrefix: prefix.replace(/\/$/, ''),
  });
  const ref = await parts.snapshots.put(`${prefix}shard-a-1.snap`, new Uint8Array([1, 2, 3, 4, 5]));
  await parts.store.putAck(jobId, {
    checkpointId,
    shardId: 'shard-a',
    generation: 1,
    sequenceNumber: '100',
    snapshot: { ref },
    ackTimeMs: 0,
  });
  return ref;
}

describe('the campaign storage audit', () => {
  it('counts a completed checkpoint whose snapshot bytes no longer match as unverified', async () => {
    // Prepare
    const parts = memoryParts(1);
    await parts.store.createJob(job);
    const ref = await checkpointWithSnapshot(parts, 1, 'COMPLETED');
    (parts.snapshots as MemorySnapshotStore).corrupt(ref.key, (bytes) => {
      bytes[0] = 9;
    });

    // Act
    const audit = await auditStorage(parts, jobId);

    // Assess
    expect(audit.unverified).toBe(1);
    expect(audit.unverifiedDetails[0]).toContain('checkpoint 1 shard shard-a');
  });

  it('sweeps unreferenced objects, and counts what no completed checkpoint references after the sweep', async () => {
    // Prepare
    const parts = memoryParts(1);
    await parts.store.createJob(job);
    await checkpointWithSnapshot(parts, 1, 'COMPLETED');
    await checkpointWithSnapshot(parts, 2, 'PENDING'); // kept by the sweep: an upload may be in flight
    await parts.snapshots.put(`${checkpointPrefix('checkpoints', jobId, 1)}stray.snap`, new Uint8Array([7]));

    // Act
    const audit = await auditStorage(parts, jobId);

    // Assess
    expect(audit.orphans).toBe(1);
    expect(audit.unverified).toBe(0);
    expect((parts.snapshots as MemorySnapshotStore).keys()).toHaveLength(2);
  });
});
