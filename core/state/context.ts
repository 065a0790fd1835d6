import type { StreamRecord } from '../ports/stream.js';
import type { KeyedStates, StateDescriptors } from './descriptors.js';
import type { KeyContext } from './key-context.js';
import type { OperatorState, OperatorStateValues } from './operator-state.js';
import type { OutputCollector } from './output-collector.js';
import type { TimeDomain, TimerService } from './timer-service.js';

/** Where the record being processed came from. */
export type RecordMetadata = Readonly<
  Pick<StreamRecord, 'shardId' | 'sequenceNumber' | 'partitionKey' | 'arrivalTimeMs'>
>;

interface KeyedContext<S extends StateDescriptors, O extends OperatorStateValues> {
  /** The current key: the record's partition key, or the firing timer's key. */
  readonly key: string;
  readonly state: KeyedStates<S>;
  readonly operatorState: OperatorState<O>;
  readonly timerService: TimerService;
  /**
   * Emits a result downstream (to the configured sink), attributed to the current key.
   * EXACTLY_ONCE: published once the checkpoint after it completes. AT_LEAST_ONCE:
   * published when the batch is done (may repeat after a failure, never lost).
   */
  output(value: unknown): void;
}

/** What processElement sees. Valid only during the call: do not keep it. */
export interface ProcessContext<S extends StateDescriptors, O extends OperatorStateValues>
  extends KeyedContext<S, O> {
  readonly record: RecordMetadata;
  /** The event's timestamp: timestampOf(event, record), or the record's arrival time. */
  readonly timestampMs: number;
}

/** What onTimer sees. Valid only during the call: do not keep it. */
export interface OnTimerContext<S extends StateDescriptors, O extends OperatorStateValues>
  extends KeyedContext<S, O> {
  readonly timeDomain: TimeDomain;
}

/** Shared parts of both contexts; one instance of each per runtime, updated in place per call. */
abstract class RuntimeContext {
  constructor(
    private readonly keys: KeyContext,
    readonly state: Readonly<Record<string, unknown>>,
    readonly operatorState: OperatorState<OperatorStateValues>,
    readonly timerService: TimerService,
    private readonly outputs: OutputCollector,
  ) {}

  output(value: unknown): void {
    this.outputs.emit(value, this.key);
  }

  get key(): string {
    const key = this.keys.currentKey;
    return key === null ? this.keys.missing('ctx.key') : key;
  }
}

export class RuntimeProcessContext extends RuntimeContext {
  record: RecordMetadata = { shardId: '', sequenceNumber: '', partitionKey: '', arrivalTimeMs: 0 };
  timestampMs = 0;
}

export class RuntimeTimerContext extends RuntimeContext {
  timeDomain: TimeDomain = 'EVENT_TIME';
}
