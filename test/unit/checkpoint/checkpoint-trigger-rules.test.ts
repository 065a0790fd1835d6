import { describe, expect, it } from 'vitest';
import type {
  CoordinatorView,
  PendingCheckpointView,
} from '../../../core/checkpoint/checkpoint-coordinator-view.js';
import {
  effectiveIntervalMs,
  effectiveMaxConcurrentCheckpoints,
  nextTriggerDueMs,
  shouldTrigger,
} from '../../../core/checkpoint/checkpoint-trigger-rules.js';

const CONFIG = { intervalMs: 1_000, minPauseMs: 0, maxConcurrentCheckpoints: 1 };

function view(overrides: Partial<CoordinatorView> = {}): CoordinatorView {
  return {
    nowMs: 10_000,
    jobStatus: 'RUNNING',
    pending: [],
    continuousFailureCount: 0,
    completed: [],
    ...overrides,
  };
}

function pending(
  checkpointId: number,
  kind: PendingCheckpointView['kind'] = 'CHECKPOINT',
): PendingCheckpointView {
  return { checkpointId, kind, triggerTimeMs: 9_500 };
}

describe('shouldTrigger', () => {
  it('does not trigger when intervalMs is undefined (checkpointing disabled, Flink’s default)', () => {
    // Act
    const verdict = shouldTrigger({ ...CONFIG, intervalMs: undefined }, view());

    // Assess
    expect(verdict).toEqual({ trigger: false, why: 'checkpointing is disabled (no intervalMs)' });
  });

  it.each(['FAILED', 'CANCELED'] as const)('does not trigger while the job is %s', (jobStatus) => {
    // Act
    const verdict = shouldTrigger(CONFIG, view({ jobStatus }));

    // Assess
    expect(verdict.trigger).toBe(false);
    expect(verdict.why).toContain(jobStatus);
  });

  it('triggers the first periodic checkpoint at once when none was triggered yet', () => {
    // Act
    const verdict = shouldTrigger(CONFIG, view());

    // Assess
    expect(verdict.trigger).toBe(true);
  });

  it.each([
    ['one ms before the interval elapsed', 9_999, false],
    ['exactly when the interval elapsed', 10_000, true],
    ['after the interval elapsed', 12_345, true],
  ])('with intervalMs 1000 and the last trigger at 9000, %s gives trigger %s', (_when, nowMs, expected) => {
    // Act
    const verdict = shouldTrigger(CONFIG, view({ nowMs, lastTriggerTimeMs: 9_000 }));

    // Assess
    expect(verdict.trigger).toBe(expected);
  });

  it.each([
    [1, 0, true],
    [1, 1, false],
    [3, 2, true],
    [3, 3, false],
  ])(
    'maxConcurrentCheckpoints %i with %i pending gives trigger %s',
    (maxConcurrentCheckpoints, count, expected) => {
      // Prepare
      const pendingCheckpoints = Array.from({ length: count }, (_, i) => pending(i + 1));

      // Act
      const verdict = shouldTrigger(
        { ...CONFIG, maxConcurrentCheckpoints },
        view({ pending: pendingCheckpoints }),
      );

      // Assess
      expect(verdict.trigger).toBe(expected);
    },
  );

  it('counts a pending savepoint against maxConcurrentCheckpoints, as Flink counts every pending checkpoint', () => {
    // Act
    const verdict = shouldTrigger(CONFIG, view({ pending: [pending(7, 'SAVEPOINT')] }));

    // Assess
    expect(verdict).toEqual({ trigger: false, why: '1 checkpoints pending, maxConcurrentCheckpoints 1' });
  });

  it.each([
    ['4999 ms after the last completion', 9_999, false],
    ['exactly 5000 ms after the last completion', 10_000, true],
  ])(
    'with minPauseMs 5000, no trigger earlier than 5000 ms after the last completion: %s',
    (_w, nowMs, expected) => {
      // Prepare
      const config = { ...CONFIG, intervalMs: 100, minPauseMs: 5_000 };

      // Act
      const verdict = shouldTrigger(
        config,
        view({ nowMs, lastCompletionTimeMs: 5_000, lastTriggerTimeMs: 4_000 }),
      );

      // Assess
      expect(verdict.trigger).toBe(expected);
    },
  );

  it('with minPauseMs and no completion yet, the min pause does not hold back the first trigger', () => {
    // Act
    const verdict = shouldTrigger({ ...CONFIG, minPauseMs: 5_000 }, view());

    // Assess
    expect(verdict.trigger).toBe(true);
  });

  it('with minPauseMs > 0, no trigger while another checkpoint is pending, even with maxConcurrentCheckpoints 3', () => {
    // Act
    const verdict = shouldTrigger(
      { ...CONFIG, minPauseMs: 10, maxConcurrentCheckpoints: 3 },
      view({ pending: [pending(1)] }),
    );

    // Assess
    expect(verdict).toEqual({
      trigger: false,
      why: 'minPauseMs 10 allows one checkpoint in progress; 1 pending',
    });
  });

  it('with minPauseMs larger than intervalMs, the effective interval is the min pause (Flink’s baseInterval)', () => {
    // Prepare: the last checkpoint expired, so the last completion is long ago
    const config = { ...CONFIG, intervalMs: 100, minPauseMs: 5_000 };

    // Act
    const early = shouldTrigger(
      config,
      view({ nowMs: 4_999, lastTriggerTimeMs: 0, lastCompletionTimeMs: -60_000 }),
    );
    const due = shouldTrigger(
      config,
      view({ nowMs: 5_000, lastTriggerTimeMs: 0, lastCompletionTimeMs: -60_000 }),
    );

    // Assess
    expect([early.trigger, due.trigger]).toEqual([false, true]);
  });
});

describe('effective limits', () => {
  it.each([
    [{ intervalMs: 1_000, minPauseMs: 0 }, 1_000],
    [{ intervalMs: 1_000, minPauseMs: 5_000 }, 5_000],
    [{ intervalMs: undefined, minPauseMs: 5_000 }, undefined],
  ])('effectiveIntervalMs(%j) is %s', (config, expected) => {
    expect(effectiveIntervalMs(config)).toBe(expected);
  });

  it.each([
    [{ minPauseMs: 0, maxConcurrentCheckpoints: 3 }, 3],
    [{ minPauseMs: 1, maxConcurrentCheckpoints: 3 }, 1],
    [{ minPauseMs: 0, maxConcurrentCheckpoints: 0 }, 1],
  ])('effectiveMaxConcurrentCheckpoints(%j) is %i', (config, expected) => {
    expect(effectiveMaxConcurrentCheckpoints(config)).toBe(expected);
  });

  it.each([
    ['nothing happened yet', {}, Number.NEGATIVE_INFINITY],
    ['only the interval constrains', { lastTriggerTimeMs: 1_000 }, 2_000],
    ['interval and min pause end together', { lastTriggerTimeMs: 1_000, lastCompletionTimeMs: 1_500 }, 2_000],
    [
      'the min pause ends later than the interval',
      { lastTriggerTimeMs: 0, lastCompletionTimeMs: 9_000 },
      9_500,
    ],
  ])('nextTriggerDueMs when %s', (_what, times, expected) => {
    // Act
    const due = nextTriggerDueMs({ intervalMs: 1_000, minPauseMs: 500 }, times);

    // Assess
    expect(due).toBe(expected);
  });

  it('nextTriggerDueMs is undefined when checkpointing is disabled', () => {
    expect(
      nextTriggerDueMs({ intervalMs: undefined, minPauseMs: 0 }, { lastTriggerTimeMs: 0 }),
    ).toBeUndefined();
  });
});
