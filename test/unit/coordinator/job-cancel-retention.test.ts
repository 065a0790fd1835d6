import { describe, expect, it } from 'vitest';
import { triggerCheckpoint } from '../../../core/checkpoint/checkpoint-trigger.js';
import { cancelJob } from '../../../core/checkpoint/job-cancel.js';
import { savepointPrefix } from '../../../core/checkpoint/storage-location.js';
import type { ExternalizedCheckpointCleanup } from '../../../core/config/index.js';
import {
  ackItemKeys,
  CHECKPOINT_FILES_PREFIX,
  coordinatedHarness,
  filesUnder,
  type Harness,
  JOB_ID,
  recordsWithStatus,
  referencedKeys,
  shardId,
} from './coordinator-harness.js';

const SAVEPOINT_FILES_PREFIX = `savepoints/${JOB_ID}/`;

/**
 * A running job with a completed savepoint followed by more checkpoints than are
 * retained (so the savepoint had every chance to be subsumed), 2 retained completed
 * checkpoints, and one checkpoint pending (shard 1 stalled).
 */
async function jobWithSavepointAndPendingCheckpoint(): Promise<{ h: Harness; savepointId: number }> {
  const h = coordinatedHarness({
    options: { intervalMs: 1_000, numRetainedCheckpoints: 2, memoryThresholdBytes: 0 },
  });
  await h.pipeline.runFor(2_500);
  const savepoint = await triggerCheckpoint(
    { store: h.parts.store, writer: h.parts.writer, clock: h.clock },
    {
      jobId: JOB_ID,
      kind: 'SAVEPOINT',
      storagePrefixFor: (id) => savepointPrefix('savepoints', JOB_ID, id).replace(/\/$/, ''),
    },
  );
  await h.pipeline.runFor(6_000);
  h.pipeline.stalledShards.add(shardId(1));
  await h.pipeline.runFor(1_000);
  return { h, savepointId: savepoint.checkpointId };
}

async function expectSavepointIntact(h: Harness, savepointId: number): Promise<void> {
  const record = await h.parts.store.getCheckpoint(JOB_ID, savepointId);
  expect(record).toMatchObject({ kind: 'SAVEPOINT', status: 'COMPLETED' });
  const acks = await h.parts.store.listAcks(JOB_ID, savepointId);
  expect(acks).toHaveLength(2);
  // Its snapshots, and the _metadata that lets another deployment restore it by path.
  expect(filesUnder(h, record!.storagePrefix)).toEqual(
    [...referencedKeys(acks), `${record!.storagePrefix}/_metadata`].sort(),
  );
  expect(referencedKeys(acks)).toHaveLength(2);
}

/**
 * Flink: externalized checkpoints are kept when a job is cancelled with
 * RETAIN_ON_CANCELLATION and deleted with DELETE_ON_CANCELLATION; savepoints are
 * never deleted automatically (state.savepoints.dir).
 */
describe('externalized checkpoints on cancel (execution.checkpointing.externalized-checkpoint-retention)', () => {
  it('never subsumes a completed savepoint, whatever numRetainedCheckpoints', async () => {
    // Prepare + Act
    const { h, savepointId } = await jobWithSavepointAndPendingCheckpoint();

    // Assess: 5+ checkpoints completed after it, 2 are retained, the savepoint is still there
    const checkpoints = await recordsWithStatus(h, 'COMPLETED');
    expect(checkpoints.filter((r) => r.kind === 'CHECKPOINT')).toHaveLength(2);
    expect(
      Math.min(...checkpoints.filter((r) => r.kind === 'CHECKPOINT').map((r) => r.checkpointId)),
    ).toBeGreaterThan(savepointId + 2);
    await expectSavepointIntact(h, savepointId);
    // Two snapshots and the savepoint's _metadata.
    expect(h.snapshots.keys().filter((k) => k.startsWith(SAVEPOINT_FILES_PREFIX))).toHaveLength(3);
  });

  it.each<ExternalizedCheckpointCleanup>(['RETAIN_ON_CANCELLATION', 'DELETE_ON_CANCELLATION'])(
    'with %s aborts the pending checkpoint, keeps the savepoint, and the next window stops',
    async (cleanup) => {
      // Prepare
      const { h, savepointId } = await jobWithSavepointAndPendingCheckpoint();
      const [pending] = await recordsWithStatus(h, 'PENDING');
      expect(pending).toBeDefined();
      expect(ackItemKeys(h, pending!.checkpointId)).toHaveLength(1);

      // Act
      const result = await cancelJob({ ...h.parts, clock: h.clock }, JOB_ID, cleanup);
      const next = await h.pipeline.runWindow(60_000);

      // Assess
      expect(result.aborted).toEqual([pending!.checkpointId]);
      expect(await h.parts.store.getCheckpoint(JOB_ID, pending!.checkpointId)).toMatchObject({
        status: 'ABORTED',
        failureReason: 'JOB_CANCELED',
      });
      expect(ackItemKeys(h, pending!.checkpointId)).toEqual([]);
      expect(filesUnder(h, pending!.storagePrefix)).toEqual([]);
      await expectSavepointIntact(h, savepointId);
      expect((await h.parts.store.getJob(JOB_ID))?.status).toBe('CANCELED');
      expect(next.status).toBe('STOPPED');
      expect(await recordsWithStatus(h, 'PENDING')).toEqual([]);
    },
  );

  it('with RETAIN_ON_CANCELLATION keeps the completed checkpoints’ records, acks and files', async () => {
    // Prepare
    const { h } = await jobWithSavepointAndPendingCheckpoint();
    const before = (await recordsWithStatus(h, 'COMPLETED')).filter((r) => r.kind === 'CHECKPOINT');

    // Act
    const result = await cancelJob({ ...h.parts, clock: h.clock }, JOB_ID, 'RETAIN_ON_CANCELLATION');

    // Assess
    expect(result.retained).toEqual(before.map((r) => r.checkpointId));
    expect(result.deleted).toEqual([]);
    const after = (await recordsWithStatus(h, 'COMPLETED')).filter((r) => r.kind === 'CHECKPOINT');
    expect(after).toEqual(before);
    for (const record of after) {
      const acks = await h.parts.store.listAcks(JOB_ID, record.checkpointId);
      expect(acks).toHaveLength(2);
      expect(filesUnder(h, record.storagePrefix)).toEqual(referencedKeys(acks));
    }
  });

  it('with DELETE_ON_CANCELLATION deletes every completed checkpoint’s files, acks and record', async () => {
    // Prepare
    const { h } = await jobWithSavepointAndPendingCheckpoint();
    const before = (await recordsWithStatus(h, 'COMPLETED')).filter((r) => r.kind === 'CHECKPOINT');
    expect(before).toHaveLength(2);

    // Act
    const result = await cancelJob({ ...h.parts, clock: h.clock }, JOB_ID, 'DELETE_ON_CANCELLATION');

    // Assess
    expect(result.deleted).toEqual(before.map((r) => r.checkpointId));
    expect(result.retained).toEqual([]);
    for (const record of before) {
      expect(await h.parts.store.getCheckpoint(JOB_ID, record.checkpointId)).toBeUndefined();
      expect(ackItemKeys(h, record.checkpointId)).toEqual([]);
    }
    expect(h.snapshots.keys().filter((k) => k.startsWith(CHECKPOINT_FILES_PREFIX))).toEqual([]);
    // Two snapshots and the savepoint's _metadata.
    expect(h.snapshots.keys().filter((k) => k.startsWith(SAVEPOINT_FILES_PREFIX))).toHaveLength(3);
  });
});
