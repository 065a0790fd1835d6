import { describe, expect, it } from 'vitest';
import {
  coordinatedHarness,
  JOB_ID,
  maxPendingAtOnce,
  shardId,
  transitions,
  triggerTimesMs,
} from './coordinator-harness.js';

/**
 * Flink: several overlapping checkpoints may be in progress, up to
 * maxConcurrentCheckpoints; none is triggered beyond it. Invariant 4: the latest
 * checkpoint pointer only moves forward.
 */
describe('max concurrent checkpoints (execution.checkpointing.max-concurrent-checkpoints)', () => {
  it('keeps up to 3 checkpoints pending at once, never 4, while acks are slow', async () => {
    // Prepare: every shard stalls for the first 6 s
    const h = coordinatedHarness({
      shards: 3,
      options: {
        intervalMs: 1_000,
        maxConcurrentCheckpoints: 3,
        timeoutMs: 60_000,
        numRetainedCheckpoints: 60,
      },
      onTick: (elapsedMs, pipeline) => {
        for (const index of [0, 1, 2]) {
          if (elapsedMs < 6_000) pipeline.stalledShards.add(shardId(index));
          else pipeline.stalledShards.delete(shardId(index));
        }
      },
    });

    // Act
    await h.pipeline.runFor(5_900);
    const pendingWhileStalled = (await h.parts.store.listCheckpoints(JOB_ID)).filter(
      (r) => r.status === 'PENDING',
    );

    // Assess: triggered at 0, 1 and 2 s; nothing at 3, 4, 5 s although the interval had passed
    expect(pendingWhileStalled.map((r) => r.checkpointId)).toEqual([1, 2, 3]);
    expect(triggerTimesMs(h.events).map((t) => t - h.startMs)).toEqual([0, 1_000, 2_000]);
    expect(maxPendingAtOnce(h.events)).toBe(3);
  });

  it('completes all pending checkpoints in id order once acks arrive, and the latest pointer only moves forward', async () => {
    // Prepare
    const h = coordinatedHarness({
      shards: 3,
      options: {
        intervalMs: 1_000,
        maxConcurrentCheckpoints: 3,
        timeoutMs: 60_000,
        numRetainedCheckpoints: 60,
      },
      onTick: (elapsedMs, pipeline) => {
        for (const index of [0, 1, 2]) {
          if (elapsedMs < 6_000) pipeline.stalledShards.add(shardId(index));
          else pipeline.stalledShards.delete(shardId(index));
        }
      },
    });

    // Act: sample the pointer after every window too, besides every META write
    const windowSamples: (number | undefined)[] = [];
    while (h.elapsedMs() < 15_000) {
      const beforeMs = h.clock.nowMs();
      await h.pipeline.runWindow(500);
      windowSamples.push((await h.parts.store.getJob(JOB_ID))?.latestCheckpointId);
      // A window that had nothing to do before its end: let simulated time pass, as the state machine would.
      if (h.clock.nowMs() === beforeMs) await h.pipeline.tick(h.pipeline.settings.ackPollMs);
    }

    // Assess
    const completedIds = transitions(h.events, 'COMPLETED').map((e) => e.checkpointId);
    expect(completedIds.slice(0, 3)).toEqual([1, 2, 3]);
    expect(completedIds).toEqual([...completedIds].sort((a, b) => a - b));
    expect(transitions(h.events, 'ABORTED')).toEqual([]);
    expect(maxPendingAtOnce(h.events)).toBeLessThanOrEqual(3);
    for (const samples of [h.latestPointerSamples, windowSamples]) {
      const ids = samples.map((id) => id ?? 0);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    // Completions that fall in one step move the pointer once, to the newest of them.
    for (const id of h.latestPointerSamples) expect(completedIds).toContain(id);
    expect((await h.parts.store.getJob(JOB_ID))?.latestCheckpointId).toBe(Math.max(...completedIds));
  });
});
