import type { CoordinatorSettings } from '../../../core/checkpoint/checkpoint-coordinator.js';
import { type CheckpointConfig, type CompileConfigInput, compileConfig } from '../../../core/config/index.js';
import { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import { MemorySnapshotStore } from '../../../core/memory/memory-snapshot-store.js';
import type { MemoryStream } from '../../../core/memory/memory-stream.js';
import type {
  CheckpointKind,
  CheckpointRecord,
  CheckpointStatus,
  CheckpointStore,
  ShardAck,
} from '../../../core/ports/checkpoint-store.js';
import type { Clock } from '../../../core/ports/clock.js';
import { compareSequenceNumbers } from '../../../core/ports/stream.js';
import { isBarrierRecord } from '../../../core/processing/barrier.js';
import { clickCounter } from '../../../core/state/examples/click-counter.js';
import { type AnyOperatorDefinition, OperatorRuntime } from '../../../core/state/index.js';
import type { StateSnapshotContent } from '../../../core/state/snapshot-content.js';
import { clickWorkload } from '../../../local/pipeline/click-workload.js';
import { CoordinatedPipeline } from '../../../local/pipeline/coordinated-pipeline.js';
import { FakeClock } from '../../../local/pipeline/fake-clock.js';
import { memoryParts, type PipelineParts } from '../../../local/pipeline/parts.js';
import { seededRandom } from '../../../local/pipeline/random.js';

/**
 * The coordinator's whole loop on in-memory parts and a FakeClock, with a record
 * of every checkpoint state change stamped with simulated time (subsumed records
 * are deleted from the store, so timing assertions read this log instead).
 */

export const JOB_ID = 'clicks';
export const CHECKPOINTS_DIR = 's3://bucket/checkpoints';
/** CoordinatedPipeline's default key prefix for checkpoint files. */
export const CHECKPOINT_FILES_PREFIX = `checkpoints/${JOB_ID}/`;

export type CheckpointEvent =
  | { type: 'created'; atMs: number; checkpointId: number; kind: CheckpointKind }
  | {
      type: 'transitioned';
      atMs: number;
      checkpointId: number;
      from: CheckpointStatus;
      to: CheckpointStatus;
      failureReason?: string;
    };

export interface HarnessOptions {
  /** Checkpointing options besides jobId and checkpointsDir. */
  options: Omit<CompileConfigInput, 'jobId' | 'checkpointsDir'>;
  shards?: number;
  /** Click records produced at every tick of simulated time. */
  recordsPerTick?: number;
  users?: number;
  seed?: number;
  /** Runs at every tick before the poll, with the simulated time since the start: stall or un-stall shards. */
  onTick?: (elapsedMs: number, pipeline: CoordinatedPipeline) => void;
  settings?: Partial<CoordinatorSettings>;
  /** Partition keys to use instead of the workload's user ids (routes records to chosen shards). */
  partitionKeys?: readonly string[];
  /**
   * Whether processors run coordinator steps after their batches. Default false:
   * these tests pin Flink's timing rules on the supervisor's exact wake-ups; the
   * processor-driven path has its own tests (coordinator-step, processors-drive).
   */
  processorsDrive?: boolean;
}

export interface Harness {
  clock: FakeClock;
  startMs: number;
  config: CheckpointConfig;
  parts: PipelineParts & { stream: MemoryStream };
  /** The store under the recording wrapper, for dump(). */
  metadata: MemoryCheckpointStore;
  snapshots: MemorySnapshotStore;
  pipeline: CoordinatedPipeline;
  events: CheckpointEvent[];
  /** latestCheckpointId read after every write to the job's META item. */
  latestPointerSamples: (number | undefined)[];
  operator: AnyOperatorDefinition;
  /** Simulated ms since the start. */
  elapsedMs(): number;
}

export function shardId(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

export function coordinatedHarness(harness: HarnessOptions): Harness {
  const clock = new FakeClock();
  const startMs = clock.nowMs();
  const parts = memoryParts(harness.shards ?? 2, clock);
  const metadata = parts.store;
  const snapshots = parts.snapshots;
  if (!(metadata instanceof MemoryCheckpointStore) || !(snapshots instanceof MemorySnapshotStore)) {
    throw new Error('memoryParts is expected to build a MemoryCheckpointStore and a MemorySnapshotStore');
  }
  const events: CheckpointEvent[] = [];
  const latestPointerSamples: (number | undefined)[] = [];
  parts.store = recordingStore(metadata, clock, events, latestPointerSamples);
  const config = compileConfig({ jobId: JOB_ID, checkpointsDir: CHECKPOINTS_DIR, ...harness.options });
  const random = seededRandom(harness.seed ?? 7);
  const recordsPerTick = harness.recordsPerTick ?? 3;
  const keys = harness.partitionKeys;
  const pipeline: CoordinatedPipeline = new CoordinatedPipeline({
    parts,
    clock,
    operator: clickCounter,
    config,
    ...(harness.settings ? { settings: harness.settings } : {}),
    processorsDrive: harness.processorsDrive ?? false,
    produce: (tick) => {
      harness.onTick?.(clock.nowMs() - startMs, pipeline);
      const { records } = clickWorkload(recordsPerTick, harness.users ?? 12, random, clock.nowMs());
      if (keys === undefined) return records;
      return records.map((r, i) => ({
        ...r,
        partitionKey: keys[(tick * recordsPerTick + i) % keys.length]!,
      }));
    },
  });
  return {
    clock,
    startMs,
    config,
    parts,
    metadata,
    snapshots,
    pipeline,
    events,
    latestPointerSamples,
    operator: clickCounter,
    elapsedMs: () => clock.nowMs() - startMs,
  };
}

/** A CheckpointStore that logs checkpoint creations and transitions with the clock's time. */
function recordingStore(
  inner: CheckpointStore,
  clock: Clock,
  events: CheckpointEvent[],
  latestPointerSamples: (number | undefined)[],
): CheckpointStore {
  const sampleLatest = async (jobId: string) => {
    latestPointerSamples.push((await inner.getJob(jobId))?.latestCheckpointId);
  };
  const recorded: Partial<CheckpointStore> = {
    async createCheckpoint(jobId, record) {
      await inner.createCheckpoint(jobId, record);
      events.push({
        type: 'created',
        atMs: clock.nowMs(),
        checkpointId: record.checkpointId,
        kind: record.kind,
      });
    },
    async transitionCheckpoint(jobId, checkpointId, from, next) {
      const result = await inner.transitionCheckpoint(jobId, checkpointId, from, next);
      events.push({
        type: 'transitioned',
        atMs: clock.nowMs(),
        checkpointId,
        from,
        to: next.status,
        ...(next.failureReason === undefined ? {} : { failureReason: next.failureReason }),
      });
      return result;
    },
    // A coordinator step writes its creations and transitions at once: log each of them.
    async commitLedger(jobId, base, change) {
      const result = await inner.commitLedger(jobId, base, change);
      for (const record of change.put ?? []) {
        const before = base.checkpoints.find((r) => r.checkpointId === record.checkpointId);
        if (!before) {
          events.push({
            type: 'created',
            atMs: clock.nowMs(),
            checkpointId: record.checkpointId,
            kind: record.kind,
          });
        } else if (before.status !== record.status) {
          events.push({
            type: 'transitioned',
            atMs: clock.nowMs(),
            checkpointId: record.checkpointId,
            from: before.status,
            to: record.status,
            ...(record.failureReason === undefined ? {} : { failureReason: record.failureReason }),
          });
        }
      }
      for (const checkpointId of change.remove ?? []) {
        const before = base.checkpoints.find((r) => r.checkpointId === checkpointId);
        if (before?.status === 'COMPLETED') {
          events.push({
            type: 'transitioned',
            atMs: clock.nowMs(),
            checkpointId,
            from: 'COMPLETED',
            to: 'DISCARDED',
          });
        }
      }
      if (change.latestCheckpointId !== undefined) await sampleLatest(jobId);
      return result;
    },
    async advanceLatestCheckpoint(jobId, checkpointId) {
      await inner.advanceLatestCheckpoint(jobId, checkpointId);
      await sampleLatest(jobId);
    },
    async updateJob(jobId, expectedVersion, next) {
      const result = await inner.updateJob(jobId, expectedVersion, next);
      await sampleLatest(jobId);
      return result;
    },
  };
  return new Proxy(inner, {
    get(target, property) {
      const own = (recorded as Record<PropertyKey, unknown>)[property];
      if (own !== undefined) return own;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// --- reading the event log ---------------------------------------------------

export function triggerTimesMs(events: CheckpointEvent[], kind: CheckpointKind = 'CHECKPOINT'): number[] {
  return events.filter((e) => e.type === 'created' && e.kind === kind).map((e) => e.atMs);
}

export function transitions(events: CheckpointEvent[], to: CheckpointStatus) {
  return events.filter(
    (e): e is Extract<CheckpointEvent, { type: 'transitioned' }> => e.type === 'transitioned' && e.to === to,
  );
}

export function triggerTimeOf(events: CheckpointEvent[], checkpointId: number): number {
  const created = events.find((e) => e.type === 'created' && e.checkpointId === checkpointId);
  if (!created) throw new Error(`checkpoint ${checkpointId} was never created`);
  return created.atMs;
}

/** Most checkpoints (and savepoints) PENDING at the same time, replaying the log. */
export function maxPendingAtOnce(events: CheckpointEvent[]): number {
  let pending = 0;
  let max = 0;
  for (const e of events) {
    if (e.type === 'created') pending++;
    else if (e.from === 'PENDING') pending--;
    max = Math.max(max, pending);
  }
  return max;
}

// --- reading storage ---------------------------------------------------------

export async function recordsWithStatus(h: Harness, status: CheckpointStatus): Promise<CheckpointRecord[]> {
  return (await h.parts.store.listCheckpoints(JOB_ID)).filter((r) => r.status === status);
}

/** Keys of every item of the job in the DynamoDB-shaped store ("JOB#clicks ACK#..."), sorted. */
export function itemKeys(h: Harness): string[] {
  return Object.keys(h.metadata.dump()).sort();
}

/** Keys of the ack items that hold this checkpoint's acks (in its slot, or a savepoint's own). */
export function ackItemKeys(h: Harness, checkpointId: number): string[] {
  const dump = h.metadata.dump() as Record<string, { checkpointId?: { N?: string } }>;
  return itemKeys(h).filter((k) => k.includes(' ACK#') && dump[k]?.checkpointId?.N === String(checkpointId));
}

/** Snapshot objects stored under a checkpoint's prefix. */
export function filesUnder(h: Harness, storagePrefix: string): string[] {
  return h.snapshots.keys().filter((k) => k.startsWith(`${storagePrefix}/`));
}

export function referencedKeys(acks: ShardAck[]): string[] {
  return acks.flatMap((a) => ('ref' in a.snapshot ? [a.snapshot.ref.key] : [])).sort();
}

/**
 * Independent recomputation: the shard's data records strictly before the barrier
 * at `barrierSequenceNumber`, through a fresh operator with no framework at all.
 */
export async function referenceStateBefore(
  h: Harness,
  shard: string,
  barrierSequenceNumber: string,
): Promise<StateSnapshotContent> {
  const runtime = new OperatorRuntime(h.operator, { shardId: shard, clock: h.clock });
  let after: string | undefined;
  for (let page = 0; page < 100_000; page++) {
    const records = await h.parts.source.read(shard, after, 1_000);
    if (records.length === 0) break;
    for (const record of records) {
      if (compareSequenceNumbers(record.sequenceNumber, barrierSequenceNumber) >= 0) {
        return runtime.captureSnapshot();
      }
      if (!isBarrierRecord(record.data)) runtime.processRecord(record);
    }
    after = records[records.length - 1]!.sequenceNumber;
  }
  throw new Error(`barrier ${barrierSequenceNumber} not found on ${shard}`);
}
