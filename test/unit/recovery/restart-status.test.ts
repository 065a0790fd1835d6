import { describe, expect, it } from 'vitest';
import { FLINK_UNLIMITED, type RestartStrategy } from '../../../core/config/index.js';
import type { RestartHistory } from '../../../core/recovery/restart-history.js';
import { describeRestartStatus } from '../../../core/recovery/restart-status.js';

const FIXED: RestartStrategy = { type: 'fixed-delay', attempts: 3, delayMs: 10_000 };
const RATE: RestartStrategy = {
  type: 'failure-rate',
  maxFailuresPerInterval: 3,
  failureRateIntervalMs: 10_000,
  delayMs: 500,
};
const EXPONENTIAL: RestartStrategy = {
  type: 'exponential-delay',
  initialBackoffMs: 1_000,
  maxBackoffMs: 60_000,
  backoffMultiplier: 1.5,
  resetBackoffThresholdMs: 60_000,
  jitterFactor: 0.1,
  attemptsBeforeResetBackoff: FLINK_UNLIMITED,
};

const failures = (...times: number[]) => times.map((atMs) => ({ atMs, reason: 'boom' }));

describe('describeRestartStatus', () => {
  it.each<[string, RestartStrategy, RestartHistory, number, string]>([
    ['none', { type: 'none' }, { failures: [] }, 0, 'none: no restarts, the next failure fails the job'],
    [
      'fixed-delay with attempts left',
      FIXED,
      { failures: failures(0), restartAttempts: 1 },
      5_000,
      'fixed-delay: 1 of 3 attempts used, next delay 10 s',
    ],
    [
      'fixed-delay with every attempt used',
      FIXED,
      { failures: failures(0, 1, 2), restartAttempts: 3 },
      5_000,
      'exhausted: fixed-delay: 3 of 3 attempts used; the next failure fails the job',
    ],
    [
      'failure-rate below the limit',
      RATE,
      { failures: failures(0, 1_000) },
      5_000,
      'failure-rate: 2 failures in the last 10 s (maxFailuresPerInterval 3), next delay 500 ms',
    ],
    [
      'failure-rate at the limit',
      RATE,
      { failures: failures(0, 1_000, 2_000) },
      5_000,
      'exhausted: failure-rate: 3 failures in the last 10 s (maxFailuresPerInterval 3); a failure in the next 5 s fails the job',
    ],
    [
      'failure-rate once old failures left the interval',
      RATE,
      { failures: failures(0, 1_000, 2_000) },
      10_500,
      'failure-rate: 2 failures in the last 10 s (maxFailuresPerInterval 3), next delay 500 ms',
    ],
    [
      'exponential-delay while a restart is scheduled',
      EXPONENTIAL,
      { failures: failures(1_000), lastFailureAtMs: 1_000, lastRestartDelayMs: 2_000, restartAttempts: 2 },
      2_500,
      'exponential-delay: restarting in 500 ms (attempt 2)',
    ],
    [
      'exponential-delay after three restarts',
      EXPONENTIAL,
      { failures: failures(0), lastFailureAtMs: 0, lastRestartDelayMs: 4_000, restartAttempts: 3 },
      5_000,
      'exponential-delay: 3 restarts since the backoff was reset, next delay 3.4 s (±10% jitter)',
    ],
    [
      'exponential-delay after the reset threshold',
      EXPONENTIAL,
      { failures: failures(0), lastFailureAtMs: 0, lastRestartDelayMs: 4_000, restartAttempts: 3 },
      64_000,
      'exponential-delay: 0 restarts since the backoff was reset, next delay 1 s (±10% jitter)',
    ],
    [
      'exponential-delay with attemptsBeforeResetBackoff used',
      { ...EXPONENTIAL, attemptsBeforeResetBackoff: 3 },
      { failures: failures(0), lastFailureAtMs: 0, lastRestartDelayMs: 4_000, restartAttempts: 3 },
      5_000,
      'exhausted: exponential-delay: 3 of 3 attempts used; a failure in the next 59 s fails the job',
    ],
  ])('%s', (_what, strategy, history, nowMs, expected) => {
    // Act
    const line = describeRestartStatus(strategy, history, nowMs);

    // Assess
    expect(line).toBe(expected);
  });
});
