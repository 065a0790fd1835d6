import { describe, expect, it } from 'vitest';
import { coordinatedHarness, JOB_ID, recordsWithStatus, triggerTimesMs } from './coordinator-harness.js';

/** Flink: enableCheckpointing(n) triggers a checkpoint every n ms; without it, none at all. */
describe('checkpoint interval (execution.checkpointing.interval)', () => {
  it('triggers periodic checkpoints no closer than intervalMs apart, about one per interval, each completing', async () => {
    // Prepare
    const h = coordinatedHarness({ options: { intervalMs: 1_000, numRetainedCheckpoints: 60 } });

    // Act
    await h.pipeline.runFor(20_000);

    // Assess
    const triggers = triggerTimesMs(h.events).map((t) => t - h.startMs);
    expect(triggers.length).toBeGreaterThanOrEqual(19);
    expect(triggers.length).toBeLessThanOrEqual(21);
    expect(triggers[0]).toBe(0); // the first one is due as soon as the job runs
    for (let i = 1; i < triggers.length; i++) {
      const gapMs = triggers[i]! - triggers[i - 1]!;
      expect(gapMs).toBeGreaterThanOrEqual(1_000);
      // The coordinator wakes for the due trigger, it does not drift by more than one ack poll.
      expect(gapMs).toBeLessThanOrEqual(1_000 + h.pipeline.settings.ackPollMs);
    }
    const completed = await recordsWithStatus(h, 'COMPLETED');
    expect(completed.map((r) => r.checkpointId)).toEqual(triggers.map((_, i) => i + 1));
  });

  it('hands a long interval back to the state machine as a Wait between checkpoints, keeping the interval', async () => {
    // Prepare: an interval longer than the idle hand-back threshold (20 s)
    const h = coordinatedHarness({ options: { intervalMs: 60_000, numRetainedCheckpoints: 60 } });

    // Act
    const first = await h.pipeline.runWindow(10 * 60_000);
    await h.pipeline.runFor(5 * 60_000 - h.elapsedMs());

    // Assess: the first window completed checkpoint 1, then asked for a Wait instead of sleeping in Lambda
    expect(first.status).toBe('CONTINUE');
    expect(first.sleepSeconds).toBeGreaterThan(0);
    expect(h.elapsedMs()).toBeGreaterThanOrEqual(5 * 60_000);
    const triggers = triggerTimesMs(h.events).map((t) => t - h.startMs);
    expect(triggers).toEqual([0, 60_000, 120_000, 180_000, 240_000]);
    expect(h.pipeline.stats.completed).toBe(5);
  });

  it('with checkpointing disabled (no intervalMs) triggers nothing and hands back a long Wait instead of looping', async () => {
    // Prepare
    const h = coordinatedHarness({ options: {} });
    expect(h.config.intervalMs).toBeUndefined();

    // Act
    const window = await h.pipeline.runWindow(10 * 60_000);
    const elapsedAfterWindowMs = h.elapsedMs();
    await h.pipeline.runFor(2 * 3_600_000);

    // Assess: the window returned at once, asking the state machine to wait
    expect(window.status).toBe('CONTINUE');
    expect(window.sleepSeconds).toBeGreaterThan(0);
    expect(elapsedAfterWindowMs).toBe(0);
    // Two simulated hours took a handful of windows, not one per poll interval.
    expect(h.pipeline.state.windowsInExecution).toBeLessThanOrEqual(4);
    expect(h.pipeline.stats.triggered).toBe(0);
    expect(h.events).toEqual([]);
    expect(await h.parts.store.listCheckpoints(JOB_ID)).toEqual([]);
    expect(h.snapshots.keys()).toEqual([]);
  });
});
