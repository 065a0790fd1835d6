import { describe, expect, it } from 'vitest';
import {
  type CheckpointEvent,
  coordinatedHarness,
  maxPendingAtOnce,
  shardId,
  transitions,
  triggerTimesMs,
} from './coordinator-harness.js';

/** For every trigger after the first: the time since the latest completion before it. */
function pausesAfterCompletion(events: CheckpointEvent[]): number[] {
  const completions = transitions(events, 'COMPLETED').map((e) => e.atMs);
  return triggerTimesMs(events)
    .slice(1)
    .map((triggerMs) => {
      const before = completions.filter((c) => c <= triggerMs);
      if (before.length === 0) throw new Error(`no completion before the trigger at ${triggerMs}`);
      return triggerMs - Math.max(...before);
    });
}

/**
 * Flink: with a min pause of 5000 ms the next checkpoint starts no sooner than 5 s
 * after the previous one completed, whatever the interval and the checkpoint's
 * duration; so at most one checkpoint is ever in progress.
 */
describe('min pause between checkpoints (execution.checkpointing.min-pause)', () => {
  it('triggers no checkpoint earlier than minPauseMs after the previous completion, even with a shorter interval', async () => {
    // Prepare
    const h = coordinatedHarness({
      options: { intervalMs: 1_000, minPauseMs: 5_000, numRetainedCheckpoints: 60 },
    });

    // Act
    await h.pipeline.runFor(40_000);

    // Assess
    const pauses = pausesAfterCompletion(h.events);
    expect(pauses.length).toBeGreaterThanOrEqual(5);
    for (const pauseMs of pauses) {
      expect(pauseMs).toBeGreaterThanOrEqual(5_000);
      // The effective interval is the min pause: the trigger comes when it has passed, not later.
      expect(pauseMs).toBeLessThanOrEqual(5_000 + h.pipeline.settings.ackPollMs);
    }
    expect(maxPendingAtOnce(h.events)).toBe(1);
  });

  it('measures the pause from the completion of a slow checkpoint, so slow checkpoints cannot pile up', async () => {
    // Prepare: checkpoint 1 takes 3 s (shard 1 stalls), three times the interval
    const h = coordinatedHarness({
      options: { intervalMs: 1_000, minPauseMs: 5_000, numRetainedCheckpoints: 60 },
      onTick: (elapsedMs, pipeline) => {
        if (elapsedMs < 3_000) pipeline.stalledShards.add(shardId(1));
        else pipeline.stalledShards.delete(shardId(1));
      },
    });

    // Act
    await h.pipeline.runFor(20_000);

    // Assess: nothing was triggered while it was slow; the next one came 5 s after it completed
    const triggers = triggerTimesMs(h.events).map((t) => t - h.startMs);
    const firstCompletionMs = transitions(h.events, 'COMPLETED')[0]!.atMs - h.startMs;
    expect(firstCompletionMs).toBeGreaterThanOrEqual(3_000);
    expect(triggers[0]).toBe(0);
    expect(triggers[1]).toBeGreaterThanOrEqual(firstCompletionMs + 5_000);
    for (const pauseMs of pausesAfterCompletion(h.events)) expect(pauseMs).toBeGreaterThanOrEqual(5_000);
    expect(maxPendingAtOnce(h.events)).toBe(1);
  });
});
