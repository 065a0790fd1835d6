import { CheckpointError, type CheckpointErrorOptions } from './checkpoint-error.js';

/** A conditional write lost: somebody else changed the item first. */
export class ConditionFailedError extends CheckpointError {
  constructor(message: string, options: CheckpointErrorOptions = {}) {
    super('CONDITION_FAILED', message, options);
    this.name = 'ConditionFailedError';
  }
}

/** The backing service asked us to slow down; retrying later helps. */
export class ThrottledError extends CheckpointError {
  constructor(message: string, options: CheckpointErrorOptions = {}) {
    super('THROTTLED', message, { retryable: true, ...options });
    this.name = 'ThrottledError';
  }
}

/** The backing service failed (5xx, timeout, network); the outcome of a write is unknown. */
export class StorageUnavailableError extends CheckpointError {
  constructor(message: string, options: CheckpointErrorOptions = {}) {
    super('STORAGE_UNAVAILABLE', message, { retryable: true, ...options });
    this.name = 'StorageUnavailableError';
  }
}

/**
 * The store refused an upload because the bytes it received do not hash to the
 * SHA-256 the caller computed (S3: 400 BadDigest). Nothing was stored. Retryable:
 * the usual cause is corruption in transit, which sending the same bytes again
 * fixes; a stored snapshot that fails its hash is SNAPSHOT_CORRUPT instead.
 */
export class UploadCorruptedError extends CheckpointError {
  constructor(message: string, options: CheckpointErrorOptions = {}) {
    super('UPLOAD_CORRUPTED', message, { retryable: true, ...options });
    this.name = 'UploadCorruptedError';
  }
}

export class NotFoundError extends CheckpointError {
  constructor(message: string, options: CheckpointErrorOptions = {}) {
    super('NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

/** Configuration that cannot run; the message names the field path and the allowed values. */
export class ConfigError extends CheckpointError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('CONFIG_INVALID', `${path}: ${message}`);
    this.name = 'ConfigError';
    this.path = path;
  }
}

/** Input from outside (event, request, file) that is malformed. Nothing was changed. */
export class BadInputError extends CheckpointError {
  constructor(message: string, options: CheckpointErrorOptions = {}) {
    super('BAD_INPUT', message, options);
    this.name = 'BadInputError';
  }
}
