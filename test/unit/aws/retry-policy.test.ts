import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retryPolicy, withRetry } from '../../../core/aws/retry-policy.js';
import { ConfigError, isCheckpointError } from '../../../core/errors/index.js';

const throttled = () => Object.assign(new Error('slow down'), { name: 'ThrottlingException' });

describe('withRetry', () => {
  it('retries a retryable failure with growing, capped backoff until it succeeds', async () => {
    // Prepare
    const delaysMs: number[] = [];
    const policy = retryPolicy({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 250 }, async (ms) => {
      delaysMs.push(ms);
    });
    let calls = 0;

    // Act
    const result = await withRetry(policy, 'Op', async () => {
      if (++calls < 4) throw throttled();
      return 'done';
    });

    // Assess
    expect(result).toBe('done');
    expect(calls).toBe(4);
    expect(delaysMs).toHaveLength(3);
    expect(delaysMs[2]!).toBeLessThanOrEqual(250);
  });

  it('stops at maxAttempts and throws the translated, retryable error', async () => {
    // Prepare
    const policy = retryPolicy({ maxAttempts: 3 }, async () => {});
    let calls = 0;

    // Act
    const error = await withRetry(policy, 'PutThing', async () => {
      calls++;
      throw throttled();
    }).catch((e: unknown) => e);

    // Assess
    expect(calls).toBe(3);
    expect(isCheckpointError(error, 'THROTTLED')).toBe(true);
    expect((error as Error).message).toContain('PutThing failed: ThrottlingException');
  });

  it('does not retry a failure that retrying cannot fix', async () => {
    // Prepare
    const policy = retryPolicy({}, async () => {});
    let calls = 0;

    // Act
    const error = await withRetry(policy, 'Op', async () => {
      calls++;
      throw Object.assign(new Error('bad'), { name: 'ValidationException' });
    }).catch((e: unknown) => e);

    // Assess
    expect(calls).toBe(1);
    expect(isCheckpointError(error, 'INTERNAL')).toBe(true);
  });
});

describe('backoffDelayMs', () => {
  it('doubles the jitter window per retry up to the cap', () => {
    // Prepare
    const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 });
    const top = () => 0.999_999;

    // Act
    const windowsMs = [0, 1, 2, 3, 4, 10].map((retry) => backoffDelayMs(policy, retry, top));

    // Assess
    expect(windowsMs).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
  });

  it('refuses a policy that cannot work, naming the field', () => {
    // Act + Assess
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(ConfigError);
    expect(() => retryPolicy({ baseDelayMs: 500, maxDelayMs: 100 })).toThrow(/retry.maxDelayMs/);
  });
});
