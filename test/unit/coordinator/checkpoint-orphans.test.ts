import { describe, expect, it } from 'vitest';
import { FLINK_UNLIMITED } from '../../../core/config/index.js';
import {
  ackItemKeys,
  coordinatedHarness,
  filesUnder,
  JOB_ID,
  recordsWithStatus,
  referencedKeys,
  shardId,
  transitions,
} from './coordinator-harness.js';

/**
 * Invariant 5: a crashed upload leaves an orphan that no ack references; it is
 * deleted, and the failure history (ABORTED records) is bounded.
 */
describe('orphaned snapshot files and the aborted history', () => {
  it('the orphan sweep deletes a file under a completed checkpoint’s prefix that no ack references, never a referenced one', async () => {
    // Prepare: checkpoint 1 pending (shard 1 stalled) while a crashed upload leaves an orphan
    const h = coordinatedHarness({
      options: { intervalMs: 1_000, numRetainedCheckpoints: 62, memoryThresholdBytes: 0 },
    });
    h.pipeline.stalledShards.add(shardId(1));
    await h.pipeline.runFor(500);
    const pending = await h.parts.store.getCheckpoint(JOB_ID, 1);
    expect(pending?.status).toBe('PENDING');
    const orphanKey = `${pending!.storagePrefix}/${shardId(0)}-orphan.snap`;
    await h.parts.snapshots.put(orphanKey, new Uint8Array([1, 2, 3]));

    // Act
    h.pipeline.stalledShards.delete(shardId(1));
    await h.pipeline.runFor(400);
    // While the checkpoint was PENDING its prefix was protected (an upload may be in flight).
    expect(h.snapshots.has(orphanKey)).toBe(true);
    await h.pipeline.runFor(h.pipeline.settings.sweepIntervalMs);

    // Assess: completed and retained (not subsumed), yet the orphan is gone and the acked files stay
    expect((await h.parts.store.getCheckpoint(JOB_ID, 1))?.status).toBe('COMPLETED');
    const acks = await h.parts.store.listAcks(JOB_ID, 1);
    expect(acks).toHaveLength(2);
    expect(h.snapshots.has(orphanKey)).toBe(false);
    expect(filesUnder(h, pending!.storagePrefix)).toEqual(referencedKeys(acks));
    expect(referencedKeys(acks)).toHaveLength(2);
  });

  it('prunes the ABORTED history to the 10 newest records, with no acks or files left for any aborted checkpoint', async () => {
    // Prepare: shard 1 never acknowledges, so every checkpoint expires; failures are tolerated
    const h = coordinatedHarness({
      options: {
        intervalMs: 100,
        timeoutMs: 500,
        tolerableFailedCheckpoints: FLINK_UNLIMITED,
        memoryThresholdBytes: 0,
      },
    });
    h.pipeline.stalledShards.add(shardId(1));

    // Act
    await h.pipeline.runFor(15_000);

    // Assess
    const abortedIds = transitions(h.events, 'ABORTED').map((e) => e.checkpointId);
    expect(abortedIds.length).toBeGreaterThanOrEqual(25);
    const history = await recordsWithStatus(h, 'ABORTED');
    expect(history.map((r) => r.checkpointId)).toEqual(abortedIds.slice(-10));
    expect(history.every((r) => r.failureReason === 'CHECKPOINT_EXPIRED')).toBe(true);
    for (const id of abortedIds) {
      expect(ackItemKeys(h, id)).toEqual([]);
      expect(filesUnder(h, `checkpoints/clicks/chk-${id}`)).toEqual([]);
    }
    // What is left: the history, at most the one pending checkpoint, and its files.
    const pending = await recordsWithStatus(h, 'PENDING');
    expect(pending.length).toBeLessThanOrEqual(1);
    expect(await h.parts.store.listCheckpoints(JOB_ID)).toHaveLength(10 + pending.length);
    const pendingPrefixes = pending.map((r) => `${r.storagePrefix}/`);
    expect(h.snapshots.keys().filter((k) => !pendingPrefixes.some((p) => k.startsWith(p)))).toEqual([]);
  });
});
