import type {
  ExponentialDelayRestartStrategy,
  FailureRateRestartStrategy,
  FixedDelayRestartStrategy,
  RestartStrategy,
} from '../config/index.js';
import { formatDurationMs } from './format-duration.js';
import type { RestartHistory } from './restart-history.js';
import { attemptsSinceReset, failuresInInterval, nextRestartAtMs } from './restart-strategies.js';

/**
 * One line for the `status` call: where the restart strategy stands at `nowMs`,
 * and what the next failure would do. Starts with "exhausted:" when the next
 * failure at `nowMs` would fail the job.
 */
export function describeRestartStatus(
  strategy: RestartStrategy,
  history: RestartHistory,
  nowMs: number,
): string {
  switch (strategy.type) {
    case 'none':
      return 'none: no restarts, the next failure fails the job';
    case 'fixed-delay':
      return describeFixedDelay(strategy, history);
    case 'failure-rate':
      return describeFailureRate(strategy, history, nowMs);
    case 'exponential-delay':
      return describeExponentialDelay(strategy, history, nowMs);
  }
}

function describeFixedDelay(strategy: FixedDelayRestartStrategy, history: RestartHistory): string {
  const used = history.restartAttempts ?? 0;
  const attempts = `${used} of ${strategy.attempts} attempts used`;
  return used >= strategy.attempts
    ? `exhausted: fixed-delay: ${attempts}; the next failure fails the job`
    : `fixed-delay: ${attempts}, next delay ${formatDurationMs(strategy.delayMs)}`;
}

function describeFailureRate(
  strategy: FailureRateRestartStrategy,
  history: RestartHistory,
  nowMs: number,
): string {
  const intervalMs = strategy.failureRateIntervalMs;
  const max = strategy.maxFailuresPerInterval;
  const count = failuresInInterval(history.failures, nowMs, intervalMs);
  const window = `${count} failures in the last ${formatDurationMs(intervalMs)} (maxFailuresPerInterval ${max})`;
  if (count < max) return `failure-rate: ${window}, next delay ${formatDurationMs(strategy.delayMs)}`;
  // A failure fails the job while the max-th newest failure is still inside the interval.
  const newestFirst = history.failures.map((f) => f.atMs).sort((a, b) => b - a);
  const limitingAtMs = newestFirst[max - 1] ?? nowMs;
  return `exhausted: failure-rate: ${window}; a failure in the next ${formatDurationMs(limitingAtMs + intervalMs - nowMs)} fails the job`;
}

function describeExponentialDelay(
  strategy: ExponentialDelayRestartStrategy,
  history: RestartHistory,
  nowMs: number,
): string {
  const restartAt = nextRestartAtMs(history);
  if (restartAt !== undefined && nowMs < restartAt) {
    return `exponential-delay: restarting in ${formatDurationMs(restartAt - nowMs)} (attempt ${history.restartAttempts ?? 1})`;
  }
  const attempt = attemptsSinceReset(strategy, history, nowMs);
  const limit = strategy.attemptsBeforeResetBackoff;
  if (attempt >= limit) {
    const resetInMs = (restartAt ?? nowMs) + strategy.resetBackoffThresholdMs - nowMs;
    return `exhausted: exponential-delay: ${attempt} of ${limit} attempts used; a failure in the next ${formatDurationMs(resetInMs)} fails the job`;
  }
  const backoffMs = Math.min(
    Math.max(strategy.initialBackoffMs, strategy.initialBackoffMs * strategy.backoffMultiplier ** attempt),
    strategy.maxBackoffMs,
  );
  const jitter = strategy.jitterFactor > 0 ? ` (±${Math.round(strategy.jitterFactor * 100)}% jitter)` : '';
  return `exponential-delay: ${attempt} restarts since the backoff was reset, next delay ${formatDurationMs(backoffMs)}${jitter}`;
}
