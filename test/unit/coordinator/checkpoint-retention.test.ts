import { describe, expect, it } from 'vitest';
import { ACK_SLOTS } from '../../../core/ports/index.js';
import {
  coordinatedHarness,
  itemKeys,
  JOB_ID,
  recordsWithStatus,
  referencedKeys,
  transitions,
} from './coordinator-harness.js';

/**
 * Flink: state.checkpoints.num-retained completed checkpoints are kept, older ones
 * are subsumed and deleted. Invariant 5: nothing in S3 or DynamoDB grows without bound.
 */
describe('retained checkpoints (state.checkpoints.num-retained)', () => {
  const options = { intervalMs: 1_000, numRetainedCheckpoints: 2, memoryThresholdBytes: 0 };

  it('keeps exactly the 2 newest completed checkpoints, and only the snapshot files their acks reference', async () => {
    // Prepare
    const h = coordinatedHarness({ shards: 3, options });

    // Act
    await h.pipeline.runFor(20_000);

    // Assess
    const completedIds = transitions(h.events, 'COMPLETED').map((e) => e.checkpointId);
    expect(completedIds.length).toBeGreaterThanOrEqual(19);
    const retained = await recordsWithStatus(h, 'COMPLETED');
    expect(retained.map((r) => r.checkpointId)).toEqual(completedIds.slice(-2));
    expect(await h.parts.store.listCheckpoints(JOB_ID)).toHaveLength(2);
    const acks = [];
    for (const record of retained) acks.push(...(await h.parts.store.listAcks(JOB_ID, record.checkpointId)));
    expect(acks).toHaveLength(2 * 3);
    expect(h.snapshots.keys()).toEqual(referencedKeys(acks));
    // Subsumed checkpoints went through DISCARDED before deletion (no restore could pick them meanwhile).
    expect(transitions(h.events, 'DISCARDED').map((e) => e.checkpointId)).toEqual(completedIds.slice(0, -2));
    expect((await h.parts.store.getJob(JOB_ID))?.latestCheckpointId).toBe(completedIds.at(-1));
  });

  it('keeps the DynamoDB items and stored files at the same count after 70 and after 110 checkpoints', async () => {
    // Prepare: past the first ACK_SLOTS checkpoints, every ack slot has been written once
    const h = coordinatedHarness({ shards: 3, options });
    await h.pipeline.runFor(70_000);
    expect(itemKeys(h).filter((k) => k.includes(' ACK#')).length).toBe(ACK_SLOTS * 3);
    const itemsAfter20 = itemKeys(h);
    const dumpBytesAfter20 = JSON.stringify(h.metadata.dump()).length;
    const filesAfter20 = h.snapshots.keys();
    const completedAfter20 = h.pipeline.stats.completed;

    // Act
    await h.pipeline.runFor(40_000);

    // Assess: 40 more checkpoints completed, and no kind of item or file grew (acks overwrite their slots)
    expect(h.pipeline.stats.completed - completedAfter20).toBeGreaterThanOrEqual(39);
    const itemsAfter60 = itemKeys(h);
    const kindOf = (key: string) => key.split(' ')[1]!.split('#')[0]!;
    expect(itemsAfter60.length).toBe(itemsAfter20.length);
    expect(itemsAfter60.map(kindOf)).toEqual(itemsAfter20.map(kindOf));
    // Same items, so the same size up to a few more digits in ids and sequence numbers.
    expect(JSON.stringify(h.metadata.dump()).length).toBeLessThan(dumpBytesAfter20 * 1.05);
    expect(h.snapshots.keys().length).toBe(filesAfter20.length);
  });
});
