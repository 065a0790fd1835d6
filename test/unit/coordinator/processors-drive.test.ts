import { describe, expect, it } from 'vitest';
import {
  coordinatedHarness,
  maxPendingAtOnce,
  recordsWithStatus,
  shardId,
  transitions,
  triggerTimesMs,
} from './coordinator-harness.js';

/**
 * ADR 0001 part 3: the processors trigger and complete checkpoints after their
 * batches; the RunWindow supervisor only looks in at a coarse cadence, and
 * triggers itself only when they do not (the first checkpoint, an idle stream).
 */
describe('the processors drive, the state machine supervises', () => {
  it('at a 1 s interval the processors take every checkpoint after the first and the supervisor only hands back long Waits', async () => {
    // Prepare
    const h = coordinatedHarness({ options: { intervalMs: 1_000 }, processorsDrive: true });

    // Act
    await h.pipeline.runFor(120_000);

    // Assess: about one checkpoint per interval (a processor acts after its next batch)
    const triggers = triggerTimesMs(h.events).map((t) => t - h.startMs);
    expect(triggers.length).toBeGreaterThanOrEqual(80);
    for (let i = 1; i < triggers.length; i++) {
      expect(triggers[i]! - triggers[i - 1]!).toBeGreaterThanOrEqual(1_000);
    }
    // The supervisor made the first trigger only, and looked in a handful of times.
    expect(h.pipeline.state.carry.supervisorTriggerTimeMs).toBe(h.startMs);
    expect(h.pipeline.state.windowsInExecution).toBeLessThanOrEqual(3);
    expect(h.pipeline.state.sleepSeconds).toBe(h.config.supervisorIntervalMs / 1_000);
    // Every checkpoint but the one in flight completed, and the retention kept one.
    expect(transitions(h.events, 'COMPLETED').length).toBeGreaterThanOrEqual(triggers.length - 1);
    expect((await recordsWithStatus(h, 'COMPLETED')).length).toBe(1);
  });

  it('on an idle stream the supervisor triggers each checkpoint itself, a grace after it is due, and the acks complete it', async () => {
    // Prepare: no records at all; barriers are the only records the processors see
    const h = coordinatedHarness({
      options: { intervalMs: 60_000 },
      recordsPerTick: 0,
      processorsDrive: true,
    });
    const graceMs = h.pipeline.settings.processorGraceMs;

    // Act
    await h.pipeline.runFor(5 * 60_000);

    // Assess
    const triggers = triggerTimesMs(h.events).map((t) => t - h.startMs);
    expect(triggers.slice(0, 3)).toEqual([0, 60_000 + graceMs, 2 * (60_000 + graceMs)]);
    expect(h.pipeline.state.carry.supervisorTriggerTimeMs).toBe(h.startMs + triggers[triggers.length - 1]!);
    expect(transitions(h.events, 'COMPLETED').length).toBe(triggers.length);
  });

  it('keeps the min pause after every completion when the processors trigger', async () => {
    // Prepare
    const h = coordinatedHarness({ options: { intervalMs: 500, minPauseMs: 2_000 }, processorsDrive: true });

    // Act
    await h.pipeline.runFor(30_000);

    // Assess
    const completions = transitions(h.events, 'COMPLETED').map((e) => e.atMs);
    const triggers = triggerTimesMs(h.events);
    expect(triggers.length).toBeGreaterThanOrEqual(8);
    for (const triggerMs of triggers.slice(1)) {
      const previous = Math.max(...completions.filter((c) => c <= triggerMs));
      expect(triggerMs - previous).toBeGreaterThanOrEqual(2_000);
    }
  });

  it('never has more than maxConcurrentCheckpoints pending while a shard is slow and the processors trigger', async () => {
    // Prepare: shard 1 stalls for 6 s, so checkpoints pile up behind it
    const h = coordinatedHarness({
      options: { intervalMs: 1_000, maxConcurrentCheckpoints: 2, timeoutMs: 20_000 },
      processorsDrive: true,
      onTick: (elapsedMs, pipeline) => {
        if (elapsedMs >= 2_000 && elapsedMs < 8_000) pipeline.stalledShards.add(shardId(1));
        else pipeline.stalledShards.delete(shardId(1));
      },
    });

    // Act
    await h.pipeline.runFor(20_000);

    // Assess
    expect(maxPendingAtOnce(h.events)).toBe(2);
    expect(transitions(h.events, 'ABORTED').filter((e) => e.failureReason === 'CHECKPOINT_EXPIRED')).toEqual(
      [],
    );
    expect(transitions(h.events, 'COMPLETED').length).toBeGreaterThanOrEqual(10);
  });
});
