import type {
  ExponentialDelayRestartStrategy,
  FailureRateRestartStrategy,
  FixedDelayRestartStrategy,
  RestartStrategy,
} from '../config/index.js';
import type { FailureEntry } from '../ports/checkpoint-store.js';
import { formatDurationMs } from './format-duration.js';
import { appendFailure, type RestartHistory } from './restart-history.js';

/**
 * Flink's restart strategies (RestartBackoffTimeStrategy implementations) as pure
 * decisions: given what happened before and the new failure, restart after how
 * long, or fail the job and say which limit was hit. Time comes from the failure;
 * randomness (jitter) is injected.
 */

export type RestartDecision =
  | { restart: true; delayMs: number; nextHistory: RestartHistory }
  | { restart: false; reason: string };

/** `random` returns a number in [0, 1), like Math.random. */
export function decideRestart(
  strategy: RestartStrategy,
  history: RestartHistory,
  failure: FailureEntry,
  random: () => number,
): RestartDecision {
  switch (strategy.type) {
    case 'none':
      return { restart: false, reason: 'none: the restart strategy is none, so a failure fails the job' };
    case 'fixed-delay':
      return decideFixedDelay(strategy, history, failure);
    case 'failure-rate':
      return decideFailureRate(strategy, history, failure);
    case 'exponential-delay':
      return decideExponentialDelay(strategy, history, failure, random);
  }
}

/** Flink's FixedDelayRestartBackoffTimeStrategy: at most `attempts` restarts in the job's life. */
function decideFixedDelay(
  strategy: FixedDelayRestartStrategy,
  history: RestartHistory,
  failure: FailureEntry,
): RestartDecision {
  const used = history.restartAttempts ?? 0;
  if (used + 1 > strategy.attempts) {
    return { restart: false, reason: `fixed-delay: ${used} of ${strategy.attempts} attempts used` };
  }
  return {
    restart: true,
    delayMs: strategy.delayMs,
    nextHistory: {
      failures: appendFailure(history.failures, failure),
      lastFailureAtMs: failure.atMs,
      lastRestartDelayMs: strategy.delayMs,
      restartAttempts: used + 1,
    },
  };
}

/**
 * Failures (this one included) no older than the interval at `atMs`. Flink's
 * FailureRateRestartBackoffTimeStrategy fails the job when the oldest of the last
 * maxFailuresPerInterval + 1 failures is at most failureRateIntervalMs old, i.e.
 * when this count exceeds maxFailuresPerInterval.
 */
export function failuresInInterval(
  failures: readonly FailureEntry[],
  atMs: number,
  failureRateIntervalMs: number,
): number {
  return failures.filter((f) => atMs - f.atMs <= failureRateIntervalMs).length;
}

function decideFailureRate(
  strategy: FailureRateRestartStrategy,
  history: RestartHistory,
  failure: FailureEntry,
): RestartDecision {
  const count = failuresInInterval(
    [...history.failures, failure],
    failure.atMs,
    strategy.failureRateIntervalMs,
  );
  if (count > strategy.maxFailuresPerInterval) {
    return {
      restart: false,
      reason: `failure-rate: ${count} failures within ${formatDurationMs(strategy.failureRateIntervalMs)}, more than the ${strategy.maxFailuresPerInterval} allowed (maxFailuresPerInterval)`,
    };
  }
  return {
    restart: true,
    delayMs: strategy.delayMs,
    nextHistory: {
      failures: appendFailure(history.failures, failure, {
        windowEntries: strategy.maxFailuresPerInterval,
        windowStartMs: failure.atMs - strategy.failureRateIntervalMs,
      }),
      lastFailureAtMs: failure.atMs,
      lastRestartDelayMs: strategy.delayMs,
      restartAttempts: (history.restartAttempts ?? 0) + 1,
    },
  };
}

/**
 * The delay of restart attempt `attempt` (0 = first since the reset), as Flink's
 * ExponentialDelayRestartBackoffTimeStrategy computes it: initial * multiplier^attempt,
 * plus a uniform integer jitter in [-offset, offset] with offset = backoff * jitterFactor,
 * then clamped to [initialBackoffMs, maxBackoffMs] (so jitter never leaves that range).
 */
export function exponentialBackoffMs(
  strategy: ExponentialDelayRestartStrategy,
  attempt: number,
  random: () => number,
): number {
  // Capped so a long run of attempts cannot overflow into Infinity or NaN.
  const backoffMs = Math.min(
    Math.floor(strategy.initialBackoffMs * strategy.backoffMultiplier ** attempt),
    Number.MAX_SAFE_INTEGER,
  );
  const offsetMs = Math.floor(backoffMs * strategy.jitterFactor);
  const jitterMs =
    offsetMs === 0
      ? 0
      : Math.max(-offsetMs, Math.min(offsetMs, Math.floor(random() * (2 * offsetMs + 1)) - offsetMs));
  return Math.max(strategy.initialBackoffMs, Math.min(backoffMs + jitterMs, strategy.maxBackoffMs));
}

/** When the restart scheduled by the last attempt happens (Flink's nextRestartTimestamp). */
export function nextRestartAtMs(history: RestartHistory): number | undefined {
  return history.lastFailureAtMs === undefined || history.lastRestartDelayMs === undefined
    ? undefined
    : history.lastFailureAtMs + history.lastRestartDelayMs;
}

/**
 * Restart attempts counted before the next one, at `atMs`: zero once the job has
 * run resetBackoffThresholdMS since its last restart (Flink measures from the
 * restart, not from the failure).
 */
export function attemptsSinceReset(
  strategy: ExponentialDelayRestartStrategy,
  history: RestartHistory,
  atMs: number,
): number {
  const restartAt = nextRestartAtMs(history);
  if (restartAt === undefined || atMs - restartAt >= strategy.resetBackoffThresholdMs) return 0;
  return history.restartAttempts ?? 0;
}

function decideExponentialDelay(
  strategy: ExponentialDelayRestartStrategy,
  history: RestartHistory,
  failure: FailureEntry,
  random: () => number,
): RestartDecision {
  const restartAt = nextRestartAtMs(history);
  if (restartAt !== undefined && failure.atMs <= restartAt) {
    // Flink (FLIP-364): a failure before the scheduled restart joins that attempt.
    return {
      restart: true,
      delayMs: restartAt - failure.atMs,
      nextHistory: { ...history, failures: appendFailure(history.failures, failure) },
    };
  }
  const attempt = attemptsSinceReset(strategy, history, failure.atMs);
  if (attempt + 1 > strategy.attemptsBeforeResetBackoff) {
    return {
      restart: false,
      reason: `exponential-delay: ${attempt} of ${strategy.attemptsBeforeResetBackoff} attempts used without ${formatDurationMs(strategy.resetBackoffThresholdMs)} of failure-free running to reset the backoff (attemptsBeforeResetBackoff)`,
    };
  }
  const delayMs = exponentialBackoffMs(strategy, attempt, random);
  return {
    restart: true,
    delayMs,
    nextHistory: {
      failures: appendFailure(history.failures, failure),
      lastFailureAtMs: failure.atMs,
      lastRestartDelayMs: delayMs,
      restartAttempts: attempt + 1,
    },
  };
}
