import { CheckpointError } from '../errors/index.js';

/** A restore request that cannot be carried out as asked. Nothing was changed. */
export class RestoreRefusedError extends CheckpointError {
  readonly checkpointId: number | undefined;
  constructor(message: string, checkpointId?: number, cause?: unknown) {
    super('BAD_INPUT', message, cause === undefined ? {} : { cause });
    this.name = 'RestoreRefusedError';
    this.checkpointId = checkpointId;
  }
}
