import { BadInputError, CheckpointError } from '../errors/index.js';

/**
 * The operator's own code used the state API in a way that cannot work (state touched
 * outside processElement/onTimer, a timer with no onTimer, an async processElement...).
 * Replaying the same input fails the same way: fix the operator.
 */
export class OperatorUsageError extends CheckpointError {
  readonly operatorName: string;
  constructor(operatorName: string, message: string) {
    super('INTERNAL', `operator '${operatorName}': ${message}`);
    this.name = 'OperatorUsageError';
    this.operatorName = operatorName;
  }
}

/** Keyed state or a keyed timer was used while no record or timer is being processed. */
export class NoKeyedContextError extends OperatorUsageError {
  readonly stateName: string;
  constructor(operatorName: string, stateName: string) {
    super(
      operatorName,
      `'${stateName}' needs a current key, but none is set. Keyed state and keyed timers are only ` +
        'usable synchronously inside processElement or onTimer: do not keep ctx for later or use it after an await.',
    );
    this.name = 'NoKeyedContextError';
    this.stateName = stateName;
  }
}

/** One record could not be turned into a timestamped event. Nothing was changed by it. */
export class BadRecordError extends BadInputError {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly stage: 'decode' | 'timestamp';
  constructor(
    shardId: string,
    sequenceNumber: string,
    stage: 'decode' | 'timestamp',
    message: string,
    cause?: unknown,
  ) {
    super(`record ${sequenceNumber} of shard ${shardId}: ${message}`, { cause });
    this.name = 'BadRecordError';
    this.shardId = shardId;
    this.sequenceNumber = sequenceNumber;
    this.stage = stage;
  }
}

/** A snapshot's content does not fit the operator definition it is restored into. Nothing was changed. */
export class StateRestoreError extends BadInputError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`cannot restore state at ${path}: ${message}`);
    this.name = 'StateRestoreError';
    this.path = path;
  }
}

/** A short description of a found value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
