/**
 * One error family for the whole library. Every failure carries a reason code
 * (stable, for metrics and tests) and whether retrying the same call can help.
 * Messages say what was expected, what was found, and what to do.
 */
export type CheckpointFailureReason =
  | 'CONFIG_INVALID'
  | 'CONDITION_FAILED'
  | 'THROTTLED'
  | 'STORAGE_UNAVAILABLE'
  | 'NOT_FOUND'
  | 'SNAPSHOT_CORRUPT'
  | 'UPLOAD_CORRUPTED'
  | 'SNAPSHOT_VERSION_UNSUPPORTED'
  | 'CURSOR_FENCED'
  | 'GENERATION_FENCED'
  | 'JOB_NOT_RUNNING'
  | 'CHECKPOINT_DECLINED'
  | 'CHECKPOINT_EXPIRED'
  | 'TRIGGER_REFUSED'
  | 'REPLAY_GAP'
  | 'REPLAY_DEADLINE'
  | 'ITERATOR_EXPIRED'
  | 'BAD_INPUT'
  | 'INJECTED_FAULT'
  | 'EMULATOR_START_FAILED'
  | 'INTERNAL';

export interface CheckpointErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

export class CheckpointError extends Error {
  readonly reason: CheckpointFailureReason;
  readonly retryable: boolean;

  constructor(reason: CheckpointFailureReason, message: string, options: CheckpointErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CheckpointError';
    this.reason = reason;
    this.retryable = options.retryable ?? false;
  }
}

export function isCheckpointError(
  error: unknown,
  reason?: CheckpointFailureReason,
): error is CheckpointError {
  return error instanceof CheckpointError && (reason === undefined || error.reason === reason);
}
