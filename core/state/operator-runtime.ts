import { BadInputError, NotFoundError } from '../errors/index.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { StreamRecord } from '../ports/stream.js';
import { RuntimeProcessContext, RuntimeTimerContext } from './context.js';
import { defineOperator, isValidatedDefinition, type OperatorDefinition } from './define-operator.js';
import type { StateDescriptors } from './descriptors.js';
import { BadRecordError, OperatorUsageError } from './errors.js';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';
import { KeyContext } from './key-context.js';
import { HeapOperatorState, type OperatorStateValues } from './operator-state.js';
import { OutputCollector, type OutputHandler } from './output-collector.js';
import type { StateSnapshotContent, StateSnapshotView, TimerEntry } from './snapshot-content.js';
import { prepareTimerRestore } from './timer-restore.js';
import { HeapTimerService } from './timer-service.js';

export interface OperatorRuntimeOptions {
  /** The shard this runtime serves: records of another shard are refused. */
  shardId: string;
  /** Source of currentProcessingTime(). Default: the system clock. */
  clock?: Clock;
  /** Restore drops snapshot state the operator no longer declares, instead of failing (Flink's flag). Default false. */
  allowNonRestoredState?: boolean;
  /** How many already-due timers onTimer may register per firing round before it is called a loop. Default 10,000. */
  maxCascadingTimers?: number;
}

export interface OperatorRuntimeStats {
  /** Keys holding any keyed state. */
  keys: number;
  /** Registered timers, both time domains. */
  timers: number;
}

type NoStates = Record<never, never>;

/**
 * One user operator on one shard, with its state on the heap (the `memory` state
 * backend). The framework feeds it records in order, captures snapshots at barriers and
 * restores it after failures; restore(captureSnapshot()) yields a runtime that behaves
 * identically from then on. After any throw from processRecord/advanceProcessingTime
 * the state may be half-updated: discard the runtime and restore a snapshot.
 */
export class OperatorRuntime<
  E,
  S extends StateDescriptors = NoStates,
  O extends OperatorStateValues = NoStates,
> {
  readonly definition: OperatorDefinition<E, S, O>;
  readonly shardId: string | undefined;
  private readonly allowNonRestoredState: boolean;
  private readonly keys: KeyContext;
  private readonly keyed: HeapKeyedStateBackend;
  private readonly operator: HeapOperatorState<O>;
  private readonly timers: HeapTimerService;
  private readonly processContext: RuntimeProcessContext;
  /** Where ctx.output goes; see setOutputHandler. */
  readonly outputs: OutputCollector;
  private readonly timerContext: RuntimeTimerContext;

  constructor(definition: OperatorDefinition<E, S, O>, options?: OperatorRuntimeOptions) {
    this.definition = isValidatedDefinition(definition) ? definition : defineOperator(definition);
    this.shardId = options?.shardId;
    this.allowNonRestoredState = options?.allowNonRestoredState ?? false;
    this.keys = new KeyContext(this.definition.name);
    this.keyed = new HeapKeyedStateBackend(this.definition.state, this.keys);
    this.operator = new HeapOperatorState(this.definition.name, this.definition.operatorState);
    this.timers = new HeapTimerService({
      keys: this.keys,
      clock: options?.clock ?? systemClock,
      hasOnTimer: this.definition.onTimer !== undefined,
      maxCascadingTimers: options?.maxCascadingTimers ?? 10_000,
    });
    this.outputs = new OutputCollector(this.definition.name);
    const parts = [this.keys, this.keyed.states, this.operator, this.timers, this.outputs] as const;
    this.processContext = new RuntimeProcessContext(...parts);
    this.timerContext = new RuntimeTimerContext(...parts);
  }

  static fromSnapshot<E, S extends StateDescriptors, O extends OperatorStateValues>(
    definition: OperatorDefinition<E, S, O>,
    content: StateSnapshotContent,
    options?: OperatorRuntimeOptions,
  ): OperatorRuntime<E, S, O> {
    const runtime = new OperatorRuntime(definition, options);
    runtime.restore(content);
    return runtime;
  }

  /** Installs where ctx.output(value) goes (the framework's sink logic); undefined drops outputs. */
  setOutputHandler(handler: OutputHandler | undefined): void {
    this.outputs.handler = handler;
  }

  /** Decode, processElement under the record's partition key, advance the watermark, fire due event-time timers. */
  processRecord(record: StreamRecord): void {
    if (this.shardId !== undefined && record.shardId !== this.shardId) {
      throw new BadInputError(
        `operator '${this.definition.name}' runs shard ${this.shardId} but was given record ${record.sequenceNumber} of shard ${record.shardId}: use one runtime per shard.`,
      );
    }
    const definition = this.definition;
    const event = this.decode(record);
    const timestampMs =
      definition.timestampOf === undefined ? record.arrivalTimeMs : this.timestampOf(event, record);
    const ctx = this.processContext;
    ctx.record = record;
    ctx.timestampMs = timestampMs;
    this.keys.currentKey = record.partitionKey;
    let result: unknown;
    try {
      result = definition.processElement(event, ctx as never);
    } finally {
      this.keys.currentKey = null;
    }
    if (result !== undefined) this.requireSynchronous('processElement', result);
    if (this.timers.advanceWatermark(timestampMs - definition.outOfOrdernessMs)) {
      this.timerContext.timeDomain = 'EVENT_TIME';
      this.timers.fire('EVENT_TIME', this.timers.watermarkMs, this.fireTimer);
    }
  }

  /**
   * Fires processing-time timers with timestamp <= nowMs. Called by the framework with
   * wall-clock time, so unlike event-time timers they are not deterministic across replays.
   */
  advanceProcessingTime(nowMs: number): void {
    if (!Number.isFinite(nowMs)) {
      throw new BadInputError(`advanceProcessingTime expects a finite epoch-millisecond time, got ${nowMs}.`);
    }
    if (this.timers.processingTime.size > 0 && this.timers.processingTime.peekTimestampMs() <= nowMs) {
      this.timerContext.timeDomain = 'PROCESSING_TIME';
      this.timers.fire('PROCESSING_TIME', nowMs, this.fireTimer);
    }
  }

  /**
   * All state as of now, in O(state size). Guarantee: the content shares no container
   * (table, map, list, record, timer entry) with the runtime, so nothing the runtime
   * does later through the state API (update, put, add, clear, set, timers, watermark,
   * restore) changes it. The values users stored are shared by reference, not deep
   * copied (a deep copy of 500 MB per checkpoint would cost more than the processing):
   * an operator that mutates a stored object in place (an AggregateFunction whose `add`
   * mutates its accumulator, a list pushed into after operatorState.get) changes the
   * content too. So encode the content before the runtime runs user code again
   * (processRecord, advanceProcessingTime); the framework does, synchronously.
   */
  captureSnapshot(): StateSnapshotContent {
    const watermarkMs = this.timers.watermarkMs;
    return {
      keyed: this.keyed.capture(),
      operator: this.operator.capture(),
      timers: {
        eventTime: this.timers.eventTime.entries(),
        processingTime: this.timers.processingTime.entries(),
      },
      watermarkMs: watermarkMs === Number.NEGATIVE_INFINITY ? null : watermarkMs,
    };
  }

  /**
   * The state as of now for encodeSnapshot, in O(states + timers): like captureSnapshot,
   * but keyed state stays in the runtime's live tables instead of being copied (the
   * copy of a large state costs more than encoding it, mostly in garbage collection).
   * So it is valid only until the runtime runs anything again: encode it at once, in
   * the same synchronous step (the processor does, at the barrier), and never keep it.
   */
  snapshotView(): StateSnapshotView {
    const watermarkMs = this.timers.watermarkMs;
    return {
      keyed: this.keyed.view(),
      operator: this.operator.capture(),
      timers: {
        eventTime: this.timers.eventTime.entries(),
        processingTime: this.timers.processingTime.entries(),
      },
      watermarkMs: watermarkMs === Number.NEGATIVE_INFINITY ? null : watermarkMs,
    };
  }

  /**
   * Replaces all state with `content`. Validates everything first: on StateRestoreError
   * the runtime is unchanged. Shares no container with `content` (values by reference).
   */
  restore(content: StateSnapshotContent): void {
    const source: Partial<StateSnapshotContent> | null = typeof content === 'object' ? content : null;
    const commitKeyed = this.keyed.prepareRestore(source?.keyed, this.allowNonRestoredState);
    const commitOperator = this.operator.prepareRestore(source?.operator, this.allowNonRestoredState);
    const commitTimers = prepareTimerRestore(this.timers, source, this.definition.onTimer !== undefined);
    commitKeyed();
    commitOperator();
    commitTimers();
  }

  /** A keyed state's [key, value] pairs in snapshot form (map state as [mapKey, value] pairs); for tests and tools. */
  keyedEntries(stateName: keyof S & string): Array<[string, unknown]> {
    const entries = this.keyed.entries(stateName);
    if (entries === undefined) {
      throw new NotFoundError(
        `operator '${this.definition.name}' has no keyed state '${stateName}' (declared: ${Object.keys(this.definition.state).join(', ') || 'none'}).`,
      );
    }
    return entries;
  }

  operatorStateValue<N extends keyof O & string>(name: N): O[N] {
    return this.operator.get(name);
  }

  /** The shard's event-time watermark, or null before the first record. */
  get watermarkMs(): number | null {
    const watermarkMs = this.timers.watermarkMs;
    return watermarkMs === Number.NEGATIVE_INFINITY ? null : watermarkMs;
  }

  stats(): OperatorRuntimeStats {
    return {
      keys: this.keyed.distinctKeyCount(),
      timers: this.timers.eventTime.size + this.timers.processingTime.size,
    };
  }

  private readonly fireTimer = (timer: TimerEntry): void => {
    this.keys.currentKey = timer.key;
    let result: unknown;
    try {
      result = this.definition.onTimer!(timer.timestampMs, this.timerContext as never);
    } finally {
      this.keys.currentKey = null;
    }
    if (result !== undefined) this.requireSynchronous('onTimer', result);
  };

  private decode(record: StreamRecord): E {
    try {
      return this.definition.decode(record.data, record);
    } catch (error) {
      throw new BadRecordError(
        record.shardId,
        record.sequenceNumber,
        'decode',
        `operator '${this.definition.name}' could not decode it (${(error as Error)?.message ?? String(error)}). ` +
          'Fix the producer, or give the operator a decode function that accepts this data.',
        error,
      );
    }
  }

  private timestampOf(event: E, record: StreamRecord): number {
    let timestampMs: number;
    try {
      timestampMs = this.definition.timestampOf!(event, record);
    } catch (error) {
      throw new BadRecordError(
        record.shardId,
        record.sequenceNumber,
        'timestamp',
        `timestampOf of operator '${this.definition.name}' threw (${(error as Error)?.message ?? String(error)}).`,
        error,
      );
    }
    if (!Number.isFinite(timestampMs)) {
      throw new BadRecordError(
        record.shardId,
        record.sequenceNumber,
        'timestamp',
        `timestampOf of operator '${this.definition.name}' returned ${String(timestampMs)}; expected a finite epoch-millisecond number.`,
      );
    }
    return timestampMs;
  }

  private requireSynchronous(method: string, result: unknown): void {
    if (typeof (result as PromiseLike<unknown>)?.then !== 'function') return;
    // The state it touches after an await would be outside any keyed context: refuse, and keep the
    // abandoned promise from surfacing as an unhandled rejection on top of this error.
    Promise.resolve(result).catch(() => undefined);
    throw new OperatorUsageError(
      this.definition.name,
      `${method} returned a promise: it must be synchronous (state is only reachable during the call). Remove async/await from it.`,
    );
  }
}
