import { type CheckpointError, ConfigError } from '../errors/index.js';
import { translateAwsError } from './errors.js';

/**
 * Our retry loop above the SDK's own: bounded exponential backoff with full
 * jitter, only for errors whose translation says retrying can help.
 */
export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  maxAttempts?: number;
  /** Backoff cap for the first retry; doubles per attempt (default 100). */
  baseDelayMs?: number;
  /** Upper bound of any single backoff (default 5000). */
  maxDelayMs?: number;
}

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: Sleep;
}

function positiveInteger(path: string, value: number | undefined, fallback: number, min: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min) {
    throw new ConfigError(path, `expected an integer >= ${min}, found ${String(value)}`);
  }
  return resolved;
}

/** Compiles user options once into a complete policy; `path` names the options in errors. */
export function retryPolicy(
  options: RetryOptions = {},
  sleep: Sleep = realSleep,
  path = 'retry',
): RetryPolicy {
  const baseDelayMs = positiveInteger(`${path}.baseDelayMs`, options.baseDelayMs, 100, 0);
  const maxDelayMs = positiveInteger(`${path}.maxDelayMs`, options.maxDelayMs, 5_000, baseDelayMs);
  return {
    maxAttempts: positiveInteger(`${path}.maxAttempts`, options.maxAttempts, 5, 1),
    baseDelayMs,
    maxDelayMs,
    sleep,
  };
}

/** Full jitter: uniform in [0, min(maxDelayMs, baseDelayMs * 2^retry)]. `retry` counts from 0. */
export function backoffDelayMs(
  policy: RetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const capMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * capMs);
}

/**
 * Runs `call`, translating whatever it throws with translateAwsError; retries while
 * `canRetry` allows it (default: the error says it is retryable) and attempts remain.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  operation: string,
  call: () => Promise<T>,
  canRetry: (error: CheckpointError) => boolean = (error) => error.retryable,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (raw) {
      const error = translateAwsError(raw, operation);
      if (attempt >= policy.maxAttempts || !canRetry(error)) throw error;
      await policy.sleep(backoffDelayMs(policy, attempt - 1));
    }
  }
}
