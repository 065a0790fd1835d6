import {
  CheckpointError,
  ConditionFailedError,
  NotFoundError,
  StorageUnavailableError,
  ThrottledError,
  UploadCorruptedError,
} from '../errors/index.js';

/**
 * Translates an AWS SDK v3 error into our CheckpointError family. The only place
 * that knows SDK error names; `operation` says what we were doing, for the message.
 */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'SlowDown',
  'LimitExceededException',
  'TooManyRequestsException',
  'KMSThrottlingException',
]);
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'NoSuchKey',
  'NotFound',
  'NoSuchBucket',
  'NoSuchUpload',
]);
const UNAVAILABLE = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function translateAwsError(error: unknown, operation: string): CheckpointError {
  if (error instanceof CheckpointError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const name = e.name ?? e.code ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = `${operation} failed: ${name}${e.message ? ` (${e.message})` : ''}`;
  if (name === 'ConditionalCheckFailedException' || name === 'PreconditionFailed') {
    return new ConditionFailedError(
      `${operation}: the condition did not hold (another writer changed the item)`,
      {
        cause: error,
      },
    );
  }
  if (name === 'BadDigest') {
    return new UploadCorruptedError(
      `${detail}: the bytes S3 received do not match the checksum sent with them; nothing was stored, ` +
        'the bytes changed in transit: retry the upload with the same bytes',
      { cause: error },
    );
  }
  if (THROTTLING.has(name) || status === 429 || status === 503) {
    return new ThrottledError(`${detail}; retry with backoff`, { cause: error });
  }
  if (NOT_FOUND.has(name) || status === 404) return new NotFoundError(detail, { cause: error });
  if (name === 'ExpiredIteratorException') {
    return new CheckpointError('ITERATOR_EXPIRED', `${detail}; get a fresh iterator`, {
      retryable: true,
      cause: error,
    });
  }
  if (UNAVAILABLE.has(name) || (status !== undefined && status >= 500) || e.code === 'ECONNRESET') {
    return new StorageUnavailableError(`${detail}; the outcome is unknown, retry`, { cause: error });
  }
  return new CheckpointError('INTERNAL', detail, { cause: error });
}

/**
 * True when S3 refused the request with 403 (GetObject: AccessDenied; HeadObject: Forbidden,
 * no body), on the raw SDK error or on the cause of its translation.
 */
export function isAccessDenied(error: unknown): boolean {
  let e: unknown = error;
  // A few levels of cause: translateAwsError keeps the SDK error as the cause.
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const shape = e as SdkErrorShape & { cause?: unknown };
    if (shape.name === 'AccessDenied' || shape.$metadata?.httpStatusCode === 403) return true;
    e = shape.cause;
  }
  return false;
}
