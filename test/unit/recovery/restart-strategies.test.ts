import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExponentialDelayRestartStrategy,
  FLINK_UNLIMITED,
  type RestartStrategy,
} from '../../../core/config/index.js';
import type { FailureEntry } from '../../../core/ports/checkpoint-store.js';
import { EMPTY_RESTART_HISTORY, type RestartHistory } from '../../../core/recovery/restart-history.js';
import {
  decideRestart,
  exponentialBackoffMs,
  type RestartDecision,
} from '../../../core/recovery/restart-strategies.js';

const noJitter = () => 0.5;

/** Feeds failures one by one, threading the history, until the strategy gives up. */
function failAt(
  strategy: RestartStrategy,
  timesMs: number[],
  random: () => number = noJitter,
  history: RestartHistory = EMPTY_RESTART_HISTORY,
): { decisions: RestartDecision[]; history: RestartHistory } {
  const decisions: RestartDecision[] = [];
  let current = history;
  for (const atMs of timesMs) {
    const decision = decideRestart(strategy, current, { atMs, reason: `failure at ${atMs}` }, random);
    decisions.push(decision);
    if (!decision.restart) break;
    current = decision.nextHistory;
  }
  return { decisions, history: current };
}

const delays = (decisions: RestartDecision[]) => decisions.map((d) => (d.restart ? d.delayMs : d.reason));

describe('none', () => {
  it('never restarts', () => {
    // Act
    const { decisions } = failAt({ type: 'none' }, [0]);

    // Assess
    expect(decisions).toEqual([
      { restart: false, reason: 'none: the restart strategy is none, so a failure fails the job' },
    ]);
  });
});

describe('fixed-delay', () => {
  it('restarts at most `attempts` times in total, each after delayMs', () => {
    // Act
    const { decisions } = failAt(
      { type: 'fixed-delay', attempts: 3, delayMs: 10_000 },
      [0, 1, 2, 100_000_000],
    );

    // Assess
    expect(delays(decisions)).toEqual([10_000, 10_000, 10_000, 'fixed-delay: 3 of 3 attempts used']);
  });

  it('with attempts 0, the first failure fails the job', () => {
    expect(delays(failAt({ type: 'fixed-delay', attempts: 0, delayMs: 1 }, [0]).decisions)).toEqual([
      'fixed-delay: 0 of 0 attempts used',
    ]);
  });

  it('keeps a counter, not every failure, so a large attempts value does not grow the job item', () => {
    // Act
    const times = Array.from({ length: 50 }, (_, i) => i * 1_000);
    const { history } = failAt({ type: 'fixed-delay', attempts: 1_000, delayMs: 1 }, times);

    // Assess
    expect(history.restartAttempts).toBe(50);
    expect(history.failures).toHaveLength(10);
    expect(history.failures.at(-1)).toEqual({ atMs: 49_000, reason: 'failure at 49000' });
  });
});

describe('failure-rate', () => {
  const strategy: RestartStrategy = {
    type: 'failure-rate',
    maxFailuresPerInterval: 2,
    failureRateIntervalMs: 10_000,
    delayMs: 500,
  };

  it.each([
    ['a third failure within the interval fails the job', [0, 1_000, 2_000], [500, 500, 'fails']],
    ['a failure older than the interval no longer counts', [0, 1_000, 10_001], [500, 500, 500]],
    [
      'a failure exactly one interval old still counts (Flink: restart only when older)',
      [0, 1_000, 10_000],
      [500, 500, 'fails'],
    ],
    ['the window slides', [0, 5_000, 15_001, 20_000, 24_000], [500, 500, 500, 500, 'fails']],
  ])('maxFailuresPerInterval 2 in 10 s: %s', (_what, times, expected) => {
    // Act
    const { decisions } = failAt(strategy, times);

    // Assess
    expect(delays(decisions).map((d) => (typeof d === 'string' ? 'fails' : d))).toEqual(expected);
  });

  it('names the limit it hit in the reason', () => {
    // Act
    const { decisions } = failAt(strategy, [0, 1_000, 2_000]);

    // Assess
    expect(decisions.at(-1)).toEqual({
      restart: false,
      reason: 'failure-rate: 3 failures within 10 s, more than the 2 allowed (maxFailuresPerInterval)',
    });
  });

  it('with maxFailuresPerInterval 1, the first failure restarts and a second within the interval fails', () => {
    // Act
    const { decisions } = failAt({ ...strategy, maxFailuresPerInterval: 1 }, [0, 9_000]);

    // Assess
    expect(decisions.map((d) => d.restart)).toEqual([true, false]);
  });

  it('decides from the pruned history exactly as from every failure ever seen', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 60 }),
        (max, intervalMs, gapsMs) => {
          // Prepare
          const s: RestartStrategy = {
            type: 'failure-rate',
            maxFailuresPerInterval: max,
            failureRateIntervalMs: intervalMs,
            delayMs: 1,
          };
          const times = gapsMs.map((_, i) => gapsMs.slice(0, i + 1).reduce((a, b) => a + b, 0));

          // Act
          const { decisions, history } = failAt(s, times);

          // Assess: the reference counts over the full list
          const expected = times.slice(0, decisions.length).map((t, i) => {
            const inWindow = times.slice(0, i + 1).filter((u) => t - u <= intervalMs).length;
            return inWindow <= max;
          });
          expect(decisions.map((d) => d.restart)).toEqual(expected);
          expect(history.failures.length).toBeLessThanOrEqual(Math.max(10, max));
        },
      ),
    );
  });
});

describe('exponential-delay', () => {
  const strategy: ExponentialDelayRestartStrategy = {
    type: 'exponential-delay',
    initialBackoffMs: 1_000,
    maxBackoffMs: 10_000,
    backoffMultiplier: 2,
    resetBackoffThresholdMs: 60_000,
    jitterFactor: 0,
    attemptsBeforeResetBackoff: FLINK_UNLIMITED,
  };

  /** Each failure comes `runMs` after the previous restart. */
  function failRepeatedly(s: ExponentialDelayRestartStrategy, runsMs: number[]): RestartDecision[] {
    const decisions: RestartDecision[] = [];
    let history = EMPTY_RESTART_HISTORY;
    let restartAtMs = 0;
    for (const runMs of runsMs) {
      const atMs = restartAtMs + runMs;
      const decision = decideRestart(s, history, { atMs, reason: 'boom' }, noJitter);
      decisions.push(decision);
      if (!decision.restart) break;
      history = decision.nextHistory;
      restartAtMs = atMs + decision.delayMs;
    }
    return decisions;
  }

  it('starts at initialBackoffMs and multiplies each next delay, up to maxBackoffMs', () => {
    // Act
    const decisions = failRepeatedly(strategy, [5, 1, 1, 1, 1, 1]);

    // Assess
    expect(delays(decisions)).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it.each([
    ['resets to the initial backoff after the reset threshold of running since the restart', 60_000, 1_000],
    ['keeps growing one ms before the reset threshold', 59_999, 8_000],
  ])('exponential-delay %s', (_what, runMs, expected) => {
    // Act
    const decisions = failRepeatedly(strategy, [1, 1, 1, runMs]);

    // Assess
    expect(delays(decisions).at(-1)).toBe(expected);
  });

  it('merges a failure before the scheduled restart into that attempt (Flink FLIP-364)', () => {
    // Prepare: the first failure at 0 schedules a restart at 1000
    const first = decideRestart(strategy, EMPTY_RESTART_HISTORY, { atMs: 0, reason: 'shard 1' }, noJitter);
    if (!first.restart) throw new Error('expected a restart');

    // Act
    const second = decideRestart(strategy, first.nextHistory, { atMs: 400, reason: 'shard 2' }, noJitter);

    // Assess: restart at the same time, same attempt, both failures recorded
    expect(second).toMatchObject({ restart: true, delayMs: 600, nextHistory: { restartAttempts: 1 } });
    if (second.restart)
      expect(second.nextHistory.failures.map((f) => f.reason)).toEqual(['shard 1', 'shard 2']);
  });

  it.each([
    [
      'without a reset, the attempt after attemptsBeforeResetBackoff fails the job',
      [1, 1, 1],
      [1_000, 2_000, 'x'],
    ],
    ['a reset gives a fresh set of attempts', [1, 1, 60_000, 1], [1_000, 2_000, 1_000, 2_000]],
  ])('attemptsBeforeResetBackoff 2: %s', (_what, runs, expected) => {
    // Act
    const decisions = failRepeatedly({ ...strategy, attemptsBeforeResetBackoff: 2 }, runs);

    // Assess
    expect(delays(decisions).map((d) => (typeof d === 'string' ? 'x' : d))).toEqual(expected);
  });

  it('names the limit it hit in the reason', () => {
    // Act
    const decisions = failRepeatedly({ ...strategy, attemptsBeforeResetBackoff: 1 }, [1, 1]);

    // Assess
    expect(decisions.at(-1)).toEqual({
      restart: false,
      reason:
        'exponential-delay: 1 of 1 attempts used without 1 min of failure-free running to reset the backoff (attemptsBeforeResetBackoff)',
    });
  });

  it.each([
    ['the lowest random value subtracts the whole offset', 0, 2, 3_600],
    ['the middle random value adds nothing', 0.5, 2, 4_000],
    ['the highest random value adds the whole offset', 0.999_999, 2, 4_400],
    ['jitter on the first attempt never goes below initialBackoffMs (Flink clamps)', 0, 0, 1_000],
    ['jitter never goes above maxBackoffMs', 0.999_999, 4, 10_000],
  ])('jitterFactor 0.1: %s', (_what, random, attempt, expected) => {
    // Act
    const delayMs = exponentialBackoffMs({ ...strategy, jitterFactor: 0.1 }, attempt, () => random);

    // Assess
    expect(delayMs).toBe(expected);
  });

  it('jitter stays within ±jitterFactor of the backoff and inside [initialBackoffMs, maxBackoffMs]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (initialBackoffMs, extraMs, backoffMultiplier, jitterFactor, attempt, random) => {
          // Prepare
          const s = { ...strategy, initialBackoffMs, maxBackoffMs: initialBackoffMs + extraMs };
          const withJitter = { ...s, backoffMultiplier, jitterFactor };
          const backoffMs = Math.min(
            Math.floor(initialBackoffMs * backoffMultiplier ** attempt),
            Number.MAX_SAFE_INTEGER,
          );
          const offsetMs = Math.floor(backoffMs * jitterFactor);

          // Act
          const delayMs = exponentialBackoffMs(withJitter, attempt, () => random);

          // Assess
          expect(Number.isInteger(delayMs)).toBe(true);
          expect(delayMs).toBeGreaterThanOrEqual(initialBackoffMs);
          expect(delayMs).toBeLessThanOrEqual(s.maxBackoffMs);
          expect(delayMs).toBeGreaterThanOrEqual(Math.min(s.maxBackoffMs, backoffMs - offsetMs));
          expect(delayMs).toBeLessThanOrEqual(Math.max(initialBackoffMs, backoffMs + offsetMs));
          expect(exponentialBackoffMs(withJitter, attempt, () => random)).toBe(delayMs);
        },
      ),
    );
  });

  it('a misbehaving random source (returning 1 or less than 0) cannot push the delay outside the jitter range', () => {
    // Act
    const high = exponentialBackoffMs({ ...strategy, jitterFactor: 0.1 }, 2, () => 1);
    const low = exponentialBackoffMs({ ...strategy, jitterFactor: 0.1 }, 2, () => -3);

    // Assess
    expect([low, high]).toEqual([3_600, 4_400]);
  });
});

describe('history kept in the job item', () => {
  it.each<[string, RestartStrategy]>([
    ['fixed-delay', { type: 'fixed-delay', attempts: FLINK_UNLIMITED, delayMs: 1 }],
    [
      'failure-rate',
      { type: 'failure-rate', maxFailuresPerInterval: 3, failureRateIntervalMs: 10, delayMs: 1 },
    ],
    [
      'exponential-delay',
      {
        type: 'exponential-delay',
        initialBackoffMs: 1,
        maxBackoffMs: 1,
        backoffMultiplier: 1.5,
        resetBackoffThresholdMs: 1,
        jitterFactor: 0,
        attemptsBeforeResetBackoff: FLINK_UNLIMITED,
      },
    ],
  ])('%s keeps at most 10 failures with their reason, however many happen', (_name, strategy) => {
    // Prepare
    const failures: FailureEntry[] = Array.from({ length: 200 }, (_, i) => ({
      atMs: i * 1_000,
      reason: 'x'.repeat(5_000),
    }));
    let history = EMPTY_RESTART_HISTORY;

    // Act
    for (const failure of failures) {
      const decision = decideRestart(strategy, history, failure, noJitter);
      if (!decision.restart) throw new Error(decision.reason);
      history = decision.nextHistory;
    }

    // Assess
    expect(history.failures).toHaveLength(10);
    expect(JSON.stringify(history).length).toBeLessThan(4_000);
  });
});
