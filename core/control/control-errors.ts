import type { CheckpointFailureReason } from '../errors/index.js';
import { BadInputError, CheckpointError } from '../errors/index.js';

/** A console or CLI request that is malformed; `path` names the field. Nothing was changed. */
export class ControlInputError extends BadInputError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'ControlInputError';
    this.path = path;
  }
}

/**
 * A well-formed control action that cannot be carried out as asked (a savepoint
 * before cancel that did not complete, a savepoint of a job that is not running).
 * The message says what happened and what to do.
 */
export class ControlRefusedError extends CheckpointError {
  constructor(reason: CheckpointFailureReason, message: string, cause?: unknown) {
    super(reason, message, cause === undefined ? {} : { cause });
    this.name = 'ControlRefusedError';
  }
}
