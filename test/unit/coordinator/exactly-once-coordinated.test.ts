import { describe, expect, it } from 'vitest';
import { canonicalState, checkpointState } from '../../../local/pipeline/final-state.js';
import {
  coordinatedHarness,
  JOB_ID,
  recordsWithStatus,
  referenceStateBefore,
  shardId,
} from './coordinator-harness.js';

/**
 * Flink's promise: a checkpoint is a consistent cut; each shard's state in it is
 * exactly the effect of the records before that shard's barrier, each applied once
 * (invariant 1), even when the barrier reaches the shards at different times.
 */
describe('exactly-once state under the coordinator', () => {
  it('stores, in every completed checkpoint, each shard’s state equal to a recomputation over the records before its barrier', async () => {
    // Prepare: 3 shards, periodic checkpoints, shard 1 stalled for 2 s mid-run (its barriers lag)
    const h = coordinatedHarness({
      shards: 3,
      recordsPerTick: 6,
      users: 20,
      options: { intervalMs: 1_000, numRetainedCheckpoints: 60, memoryThresholdBytes: 512 },
      onTick: (elapsedMs, pipeline) => {
        if (elapsedMs >= 3_000 && elapsedMs < 5_000) pipeline.stalledShards.add(shardId(1));
        else pipeline.stalledShards.delete(shardId(1));
      },
    });

    // Act
    await h.pipeline.runFor(10_000);

    // Assess
    const completed = await recordsWithStatus(h, 'COMPLETED');
    expect(completed.length).toBeGreaterThanOrEqual(7);
    const canonicalByCheckpoint: string[] = [];
    for (const record of completed) {
      const states = await checkpointState(h.parts, JOB_ID, record.checkpointId);
      const acks = await h.parts.store.listAcks(JOB_ID, record.checkpointId);
      expect(acks.map((a) => a.shardId).sort()).toEqual([shardId(0), shardId(1), shardId(2)]);
      const shardStates: string[] = [];
      for (const ack of acks) {
        const expected = await referenceStateBefore(h, ack.shardId, ack.sequenceNumber);
        const stored = states.get(ack.shardId);
        expect(stored).toBeDefined();
        expect(canonicalState(stored!)).toBe(canonicalState(expected));
        shardStates.push(canonicalState(stored!));
      }
      canonicalByCheckpoint.push(shardStates.join('\n'));
    }
    // The checkpoints are not all the same empty state: records kept flowing between them.
    expect(new Set(canonicalByCheckpoint).size).toBe(completed.length);
    const latest = await checkpointState(h.parts, JOB_ID, completed.at(-1)!.checkpointId);
    const processed = [...latest.values()].reduce(
      (sum, s) => sum + Number((s.operator as { processed?: number }).processed ?? 0),
      0,
    );
    expect(processed).toBeGreaterThan(100);
  });
});
