import { describe, expect, it } from 'vitest';
import { isCheckpointError } from '../../core/errors/index.js';
import { MemoryCheckpointStore } from '../../core/memory/memory-checkpoint-store.js';
import { MemorySnapshotStore } from '../../core/memory/memory-snapshot-store.js';
import type { JobMeta } from '../../core/ports/checkpoint-store.js';
import { sha256Hex } from '../../core/snapshot/index.js';
import { FaultPlan } from '../../local/faults/fault-classes.js';
import { faultyCheckpointStore } from '../../local/faults/faulty-checkpoint-store.js';
import { FaultySnapshotStore } from '../../local/faults/faulty-snapshot-store.js';

const job: JobMeta = {
  jobId: 'job-faults',
  generation: 1,
  status: 'RUNNING',
  lastCheckpointId: 0,
  version: 1,
  failures: [],
  updatedAtMs: 0,
};

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('seeded port faults', () => {
  it('a DynamoDB 5xx before the write fails the call and changes nothing', async () => {
    // Prepare
    const inner = new MemoryCheckpointStore();
    const store = faultyCheckpointStore(inner, new FaultPlan('dynamodb-5xx', 1, 1));

    // Act
    const error = await failure(store.createJob(job));

    // Assess
    expect(isCheckpointError(error, 'STORAGE_UNAVAILABLE')).toBe(true);
    expect(await inner.getJob(job.jobId)).toBeUndefined();
  });

  it('throttling surfaces as a retryable THROTTLED error and changes nothing', async () => {
    // Prepare
    const inner = new MemoryCheckpointStore();
    const store = faultyCheckpointStore(inner, new FaultPlan('dynamodb-throttling', 1, 1));

    // Act
    const error = await failure(store.createJob(job));

    // Assess
    expect(isCheckpointError(error, 'THROTTLED') && error.retryable).toBe(true);
    expect(await inner.getJob(job.jobId)).toBeUndefined();
  });

  it('an ambiguous DynamoDB write is applied although the caller sees a 5xx', async () => {
    // Prepare
    const inner = new MemoryCheckpointStore();
    const store = faultyCheckpointStore(inner, new FaultPlan('dynamodb-ambiguous-write', 1, 1));

    // Act
    const error = await failure(store.createJob(job));

    // Assess
    expect(isCheckpointError(error, 'STORAGE_UNAVAILABLE')).toBe(true);
    expect((await inner.getJob(job.jobId))?.generation).toBe(1);
  });

  it('reads are never made ambiguous: only writes can be applied-then-failed', async () => {
    // Prepare
    const inner = new MemoryCheckpointStore();
    await inner.createJob(job);
    const plan = new FaultPlan('dynamodb-ambiguous-write', 1, 1);
    const store = faultyCheckpointStore(inner, plan);

    // Act
    const found = await store.getJob(job.jobId);

    // Assess
    expect(found?.jobId).toBe(job.jobId);
    expect(plan.totalInjected()).toBe(0);
  });

  it("an upload corrupted in transit reaches the store with the caller's SHA-256 and is refused: retryable UPLOAD_CORRUPTED, nothing stored", async () => {
    // Prepare
    const inner = new MemorySnapshotStore();
    const plan = new FaultPlan('snapshot-corruption', 1, 1);
    const snapshots = new FaultySnapshotStore(inner, plan);
    const bytes = new Uint8Array([1, 2, 3, 4]);

    // Act
    const error = await failure(snapshots.put('checkpoints/job/chk-1/shard-a.snap', bytes));

    // Assess
    expect(isCheckpointError(error, 'UPLOAD_CORRUPTED')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
    expect((error as Error).message).toContain(sha256Hex(bytes));
    expect(plan.injected.get('corrupted in transit')).toBe(1);
    expect(inner.keys()).toEqual([]);
    expect(Array.from(bytes)).toEqual([1, 2, 3, 4]);
  });

  it("an upload that is not corrupted is stored under the caller's SHA-256", async () => {
    // Prepare
    const inner = new MemorySnapshotStore();
    const snapshots = new FaultySnapshotStore(inner, new FaultPlan('snapshot-corruption', 1, 0));
    const bytes = new Uint8Array([5, 6, 7]);

    // Act
    const ref = await snapshots.put('checkpoints/job/chk-1/shard-a.snap', bytes);

    // Assess
    expect(ref.sha256).toBe(sha256Hex(bytes));
    expect(Array.from(await inner.get(ref))).toEqual([5, 6, 7]);
  });

  it('a fault plan of one class never fires faults of another class', () => {
    // Prepare
    const plan = new FaultPlan('s3-5xx', 3, 1);

    // Act
    const fired = plan.fires('dynamodb-5xx', 'x') || plan.fires('zombie-invocation', 'y');

    // Assess
    expect(fired).toBe(false);
    expect(plan.fires('s3-5xx', 'z')).toBe(true);
  });
});
