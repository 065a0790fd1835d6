import {
  type CompletionResult,
  tryCompleteCheckpoint,
} from '../../../core/checkpoint/checkpoint-completion.js';
import { triggerCheckpoint } from '../../../core/checkpoint/checkpoint-trigger.js';
import { checkpointPrefix } from '../../../core/checkpoint/storage-location.js';
import {
  type CheckpointStoreFaults,
  MemoryCheckpointStore,
} from '../../../core/memory/memory-checkpoint-store.js';
import type { MemorySnapshotStore } from '../../../core/memory/memory-snapshot-store.js';
import type { CheckpointRecord, ShardAck } from '../../../core/ports/checkpoint-store.js';
import type { Clock } from '../../../core/ports/clock.js';
import type { StreamRecord } from '../../../core/ports/stream.js';
import { isBarrierRecord } from '../../../core/processing/barrier.js';
import { CheckpointedProcessor } from '../../../core/processing/checkpointed-processor.js';
import type { FaultInjector } from '../../../core/processing/crash-points.js';
import { readVerifiedSnapshot } from '../../../core/processing/shard-recovery.js';
import type { ProcessorDependencies, ShardRuntime } from '../../../core/processing/types.js';
import { decodeSnapshot } from '../../../core/snapshot/index.js';
import { defineOperator, OperatorRuntime, valueState } from '../../../core/state/index.js';
import type { StateSnapshotContent, StateSnapshotView } from '../../../core/state/snapshot-content.js';
import { canonicalState } from '../../../local/pipeline/final-state.js';
import { memoryParts, type PipelineParts } from '../../../local/pipeline/parts.js';

/**
 * In-memory wiring of the per-batch protocol for unit tests: the memory ports of
 * local/pipeline, a small deterministic operator whose state records every record
 * id in order (so a lost or doubled record shows up), and helpers to build
 * containers, produce records, trigger and complete checkpoints.
 */

export const JOB_ID = 'job-under-test';
export const OPERATOR_NAME = 'tally';
export const fixedClock: Clock = { nowMs: () => 1_700_000_000_000 };

export interface TallyEvent {
  id: string;
  amount: number;
}

/** Sums amounts per key and logs every record id it applied, in order. Throws for a poisoned id. */
export function tallyOperator(poisoned: ReadonlySet<string>) {
  return defineOperator({
    name: OPERATOR_NAME,
    state: { total: valueState({ default: 0 }) },
    operatorState: { log: [] as string[] },
    processElement(event: TallyEvent, ctx) {
      if (poisoned.has(event.id)) throw new Error(`poisoned record ${event.id}`);
      ctx.state.total.update(ctx.state.total.value() + event.amount);
      ctx.operatorState.update('log', (log) => [...log, event.id]);
    },
  });
}

/** Delegates to the operator runtime and remembers every record handed to user code. */
class RecordingRuntime implements ShardRuntime {
  constructor(
    private readonly inner: ShardRuntime,
    private readonly delivered: StreamRecord[],
  ) {}
  processRecord(record: StreamRecord): void {
    this.delivered.push(record);
    this.inner.processRecord(record);
  }
  advanceProcessingTime(nowMs: number): void {
    this.inner.advanceProcessingTime(nowMs);
  }
  captureSnapshot(): StateSnapshotContent {
    return this.inner.captureSnapshot();
  }
  snapshotView(): StateSnapshotView {
    return this.inner.snapshotView();
  }
  restore(content: StateSnapshotContent): void {
    this.inner.restore(content);
  }
  setOutputHandler(handler: ((value: unknown, key: string) => void) | undefined): void {
    this.inner.setOutputHandler(handler);
  }
}

export interface ContainerOptions {
  containerId?: string;
  faults?: FaultInjector;
  memoryThresholdBytes?: number;
  log?: ProcessorDependencies['log'];
}

export interface FixtureOptions {
  shards?: number;
  storeFaults?: CheckpointStoreFaults;
  /** Default for containers: 1 MB inlines every snapshot; 0 uploads every one. */
  memoryThresholdBytes?: number;
}

export type ProtocolFixture = Awaited<ReturnType<typeof protocolFixture>>;

export async function protocolFixture(options: FixtureOptions = {}) {
  const base = memoryParts(options.shards ?? 1, fixedClock);
  const store = new MemoryCheckpointStore(options.storeFaults ? { faults: options.storeFaults } : {});
  const parts: PipelineParts & { stream: typeof base.stream } = { ...base, store };
  const snapshots = base.snapshots as MemorySnapshotStore;
  const shards = await base.stream.listShards();
  const shardIds = shards.map((s) => s.shardId);
  const poisoned = new Set<string>();
  const operator = tallyOperator(poisoned);
  /** Every record handed to user code, by any container. */
  const delivered: StreamRecord[] = [];
  let containers = 0;

  const storagePrefixFor = (id: number) => checkpointPrefix('checkpoints', JOB_ID, id).replace(/\/$/, '');

  function container(opts: ContainerOptions = {}): CheckpointedProcessor {
    const containerId = opts.containerId ?? `container-${++containers}`;
    return new CheckpointedProcessor({
      settings: {
        jobId: JOB_ID,
        operatorName: OPERATOR_NAME,
        mode: 'EXACTLY_ONCE',
        memoryThresholdBytes: opts.memoryThresholdBytes ?? options.memoryThresholdBytes ?? 1_000_000,
        compression: 'none',
        containerId,
      },
      store,
      snapshots,
      reader: base.stream,
      clock: fixedClock,
      createRuntime: (shardId) =>
        new RecordingRuntime(new OperatorRuntime(operator, { shardId, clock: fixedClock }), delivered),
      ...(opts.faults ? { faults: opts.faults } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
  }

  /** Appends data records with these ids to a shard; returns them as stored. */
  function produce(ids: string[], shardId = shardIds[0]!): StreamRecord[] {
    const hashKey = shards.find((s) => s.shardId === shardId)!.startingHashKey;
    const written = ids.map((id, i) => {
      const event: TallyEvent = { id, amount: i + 1 };
      return base.stream.put(`key-${id.length % 3}`, Buffer.from(JSON.stringify(event)), hashKey);
    });
    const sequenceNumbers = new Set(written.map((w) => w.sequenceNumber));
    return base.stream.records(shardId).filter((r) => sequenceNumbers.has(r.sequenceNumber));
  }

  /** Triggers a checkpoint: PENDING record plus one barrier per open shard. */
  function trigger(): Promise<CheckpointRecord> {
    return triggerCheckpoint(
      { store, writer: base.stream, clock: fixedClock },
      { jobId: JOB_ID, kind: 'CHECKPOINT', storagePrefixFor },
    );
  }

  function complete(checkpointId: number): Promise<CompletionResult> {
    return tryCompleteCheckpoint({ store, snapshots, clock: fixedClock }, JOB_ID, checkpointId);
  }

  /** Every record (barriers included) of a shard after `afterSequenceNumber`, in order. */
  function recordsAfter(afterSequenceNumber: string | undefined, shardId = shardIds[0]!): StreamRecord[] {
    const all = base.stream.records(shardId);
    if (afterSequenceNumber === undefined) return all;
    const index = all.findIndex((r) => r.sequenceNumber === afterSequenceNumber);
    return all.slice(index + 1);
  }

  /** The failure-free run: these records' data, in order, through a fresh operator; canonical form. */
  function referenceState(records: StreamRecord[]): string {
    const shardId = records[0]?.shardId ?? shardIds[0]!;
    const runtime = new OperatorRuntime(operator, { shardId, clock: fixedClock });
    for (const record of records) if (!isBarrierRecord(record.data)) runtime.processRecord(record);
    return canonicalState(runtime.captureSnapshot());
  }

  /** The canonical form of a container's live state for a shard. */
  function liveState(processor: CheckpointedProcessor, shardId = shardIds[0]!): string | undefined {
    const runtime = processor.liveRuntime(shardId);
    return runtime && canonicalState(runtime.captureSnapshot());
  }

  async function ackState(ack: ShardAck): Promise<string> {
    const bytes = await readVerifiedSnapshot({ snapshots } as unknown as ProcessorDependencies, ack);
    return canonicalState(decodeSnapshot(bytes).content);
  }

  /** Everything durable, to assert that nothing changed. */
  function durable(): string {
    return JSON.stringify({ table: store.dump(), objects: snapshots.keys() });
  }

  return {
    parts,
    store,
    snapshots,
    stream: base.stream,
    shardIds,
    poisoned,
    operator,
    delivered,
    container,
    produce,
    trigger,
    complete,
    recordsAfter,
    referenceState,
    liveState,
    ackState,
    durable,
    storagePrefixFor,
  };
}

/** The ids an operator state's log holds, in order (from canonical state). */
export function loggedIds(canonical: string | undefined): string[] {
  if (canonical === undefined) return [];
  return (JSON.parse(canonical) as { operator: { log?: string[] } }).operator.log ?? [];
}

/** A data record id for each record, or 'barrier'. */
export function ids(records: StreamRecord[]): string[] {
  return records.map((r) =>
    isBarrierRecord(r.data) ? 'barrier' : (JSON.parse(Buffer.from(r.data).toString()) as TallyEvent).id,
  );
}
