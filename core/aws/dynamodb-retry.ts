import { StorageUnavailableError } from '../errors/index.js';
import { translateAwsError } from './errors.js';
import { type RetryPolicy, withRetry } from './retry-policy.js';

/**
 * Retried conditional writes are ambiguous: a failed try (5xx, timeout) may have
 * been applied on the server, so the next try fails its own condition. Each try
 * learns whether an earlier one might have been applied (`ambiguous`), so the
 * caller can read the item back and recognise its own write.
 */
export interface AttemptContext {
  /** An earlier try of this call failed in a way that may have left its write applied. */
  ambiguous: boolean;
}

/** The SDK retried internally before reporting: an earlier try may have been applied. */
export function wasRetriedBySdk(error: unknown): boolean {
  const attempts = (error as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
  return attempts !== undefined && attempts > 1;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/** A throttled request was refused; a 5xx or a timeout may have been applied. */
function mayHaveBeenApplied(error: unknown, operation: string): boolean {
  return translateAwsError(error, operation) instanceof StorageUnavailableError || wasRetriedBySdk(error);
}

/** withRetry (backoff with full jitter on retryable errors), telling each try about ambiguity. */
export function withAmbiguityTracking<T>(
  operation: string,
  policy: RetryPolicy,
  attempt: (context: AttemptContext) => Promise<T>,
): Promise<T> {
  let ambiguous = false;
  return withRetry(policy, operation, async () => {
    try {
      return await attempt({ ambiguous });
    } catch (error) {
      if (mayHaveBeenApplied(error, operation)) ambiguous = true;
      throw error;
    }
  });
}
