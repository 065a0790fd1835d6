import { abortCheckpoint } from '../checkpoint/checkpoint-cleanup.js';
import { ensureJob } from '../checkpoint/job.js';
import { ConditionFailedError, isCheckpointError } from '../errors/index.js';
import type {
  CheckpointKind,
  CheckpointRecord,
  CheckpointStore,
  JobMeta,
  ShardAck,
} from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import type { StreamWriter } from '../ports/stream.js';
import { readVerifiedSnapshot } from '../processing/shard-recovery.js';
import type { ProcessorDependencies } from '../processing/types.js';
import { decodeSnapshot } from '../snapshot/index.js';
import { RestoreRefusedError } from './restore-errors.js';

export interface RestoreDependencies {
  store: CheckpointStore;
  snapshots: SnapshotStore;
  writer: StreamWriter;
  clock: Clock;
}

export interface RestoreRequest {
  jobId: string;
  /** A checkpoint or savepoint id, or 'latest' (newest completed, see preferCheckpointForRecovery). */
  checkpointId: number | 'latest';
  /** Report what would happen; change nothing. */
  dryRun?: boolean;
  /** Restore even when the checkpoint's positions may be older than the stream's retention. */
  allowDataLoss?: boolean;
  /** With 'latest': the newest checkpoint even when a newer savepoint exists (Flink's option). */
  preferCheckpointForRecovery?: boolean;
}

export interface RestorePlan {
  checkpointId: number;
  kind: CheckpointKind;
  completedAtMs: number;
  /** The generation the job moves to: every writer of an older one is fenced. */
  generation: number;
  shards: Array<{ shardId: string; sequenceNumber: string; sizeBytes: number }>;
  /** Pending checkpoints that will be aborted. */
  abortPending: number[];
  /** Completed checkpoints newer than the target (the abandoned timeline), discarded. */
  discardNewer: number[];
  warnings: string[];
  dryRun: boolean;
}

/**
 * Flink's "restore from a retained checkpoint or savepoint". Verifies before it
 * touches anything (COMPLETED, every snapshot present and matching its SHA-256,
 * positions within the stream's retention), then, in an order where every
 * prefix of the writes is safe:
 *   1. the job's generation is bumped and its latest pointer set to the target
 *      (the one explicit backward move of the pointer): cold starts of the old
 *      generation now wait (GenerationFenced, retried), nothing is lost;
 *   2. pending checkpoints are aborted, newer completed ones discarded;
 *   3. every shard cursor is rewritten to the target's position with a new
 *      version, fencing warm containers of the old generation.
 * Processors then cold-start from the target's snapshots and replay from there.
 */
export async function restoreCheckpoint(
  deps: RestoreDependencies,
  request: RestoreRequest,
): Promise<RestorePlan> {
  const plan = await planRestore(deps, request);
  if (plan.dryRun) return plan;
  const { store, clock } = deps;
  const { jobId } = request;

  await updateJobForRestore(store, jobId, plan, clock);
  for (const checkpointId of plan.abortPending)
    await abortCheckpoint(deps, jobId, checkpointId, 'RESTORED_ELSEWHERE');
  for (const checkpointId of plan.discardNewer) {
    await discardIfCompleted(store, jobId, checkpointId);
  }
  const positions = new Map(plan.shards.map((s) => [s.shardId, s.sequenceNumber]));
  for (const cursor of await store.listCursors(jobId)) {
    await rewriteCursor(store, jobId, cursor.shardId, plan.generation, positions.get(cursor.shardId), clock);
  }
  return plan;
}

/** Everything restore checks, and what it would do: no write happens here. */
export async function planRestore(deps: RestoreDependencies, request: RestoreRequest): Promise<RestorePlan> {
  const { store, writer, clock } = deps;
  const { jobId } = request;
  const job = await store.getJob(jobId);
  if (!job) throw new RestoreRefusedError(`job ${jobId} has no checkpoint metadata: nothing to restore from`);
  const records = await store.listCheckpoints(jobId);
  const warnings: string[] = [];
  if (request.preferCheckpointForRecovery) {
    warnings.push(
      'preferCheckpointForRecovery is enabled: a newer savepoint is ignored for "latest"; Flink removed this option ' +
        'after data-loss reports (FLINK-20427).',
    );
  }
  const target = resolveTarget(job, records, request);
  const acks = (await store.listAcks(jobId, target.checkpointId)).filter(
    (a) => a.generation === target.generation,
  );
  const acked = new Set(acks.map((a) => a.shardId));
  const missing = target.expectedShards.filter((s) => !acked.has(s));
  if (missing.length > 0) {
    throw new RestoreRefusedError(
      `checkpoint ${target.checkpointId} lacks snapshots for shards ${missing.join(', ')}; restore another checkpoint`,
      target.checkpointId,
    );
  }
  for (const ack of acks) await verifySnapshot(deps, ack, target.checkpointId);
  const retentionHours = await writer.retentionPeriodHours();
  const ageMs = clock.nowMs() - target.triggerTimeMs;
  if (ageMs > retentionHours * 3_600_000) {
    const message =
      `checkpoint ${target.checkpointId} was taken ${(ageMs / 3_600_000).toFixed(1)} h ago, beyond the stream's ` +
      `retention of ${retentionHours} h: records after its positions may be gone, and replaying from it would skip them`;
    if (!request.allowDataLoss) {
      throw new RestoreRefusedError(
        `${message}. Restore a newer checkpoint, or pass allowDataLoss: true to accept losing those records.`,
        target.checkpointId,
      );
    }
    warnings.push(`${message}; allowDataLoss was given.`);
  }
  return {
    checkpointId: target.checkpointId,
    kind: target.kind,
    completedAtMs: target.completedAtMs ?? 0,
    generation: job.generation + 1,
    shards: acks
      .map((a) => ({
        shardId: a.shardId,
        sequenceNumber: a.sequenceNumber,
        sizeBytes: 'ref' in a.snapshot ? a.snapshot.ref.sizeBytes : a.snapshot.sizeBytes,
      }))
      .sort((a, b) => (a.shardId < b.shardId ? -1 : 1)),
    abortPending: records.filter((r) => r.status === 'PENDING').map((r) => r.checkpointId),
    discardNewer: records
      .filter(
        (r) => r.status === 'COMPLETED' && r.kind === 'CHECKPOINT' && r.checkpointId > target.checkpointId,
      )
      .map((r) => r.checkpointId),
    warnings,
    dryRun: request.dryRun === true,
  };
}

function resolveTarget(job: JobMeta, records: CheckpointRecord[], request: RestoreRequest): CheckpointRecord {
  const completed = records.filter((r) => r.status === 'COMPLETED');
  const available = () =>
    completed.length === 0
      ? 'there is no completed checkpoint or savepoint yet'
      : `completed: ${completed.map((r) => `${r.checkpointId} (${r.kind.toLowerCase()})`).join(', ')}`;
  if (request.checkpointId === 'latest') {
    const pointer = completed.find((r) => r.checkpointId === job.latestCheckpointId);
    const candidates = request.preferCheckpointForRecovery
      ? completed.filter((r) => r.kind === 'CHECKPOINT')
      : completed.filter((r) => r === pointer || r.kind === 'SAVEPOINT');
    const newest = candidates.sort((a, b) => (b.completedAtMs ?? 0) - (a.completedAtMs ?? 0))[0];
    if (!newest)
      throw new RestoreRefusedError(`job ${request.jobId}: nothing to restore "latest" from; ${available()}`);
    return newest;
  }
  const id = request.checkpointId;
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new RestoreRefusedError(
      `checkpointId: expected a non-negative integer or "latest", found ${JSON.stringify(id)}`,
    );
  }
  const record = records.find((r) => r.checkpointId === id);
  if (!record)
    throw new RestoreRefusedError(
      `checkpoint ${id} does not exist for job ${request.jobId}; ${available()}`,
      id,
    );
  if (record.status !== 'COMPLETED') {
    throw new RestoreRefusedError(
      `checkpoint ${id} is ${record.status}${record.failureReason ? ` (${record.failureReason})` : ''}: only a ` +
        `COMPLETED checkpoint or savepoint can be restored; ${available()}`,
      id,
    );
  }
  return record;
}

async function verifySnapshot(deps: RestoreDependencies, ack: ShardAck, checkpointId: number): Promise<void> {
  try {
    const bytes = await readVerifiedSnapshot(deps as unknown as ProcessorDependencies, ack);
    decodeSnapshot(bytes);
  } catch (error) {
    if (isCheckpointError(error, 'SNAPSHOT_CORRUPT') || isCheckpointError(error, 'NOT_FOUND')) {
      throw new RestoreRefusedError(
        `checkpoint ${checkpointId}: the snapshot of shard ${ack.shardId} is unusable (${(error as Error).message}); ` +
          'restore another checkpoint',
        checkpointId,
        error,
      );
    }
    throw error;
  }
}

async function updateJobForRestore(store: CheckpointStore, jobId: string, plan: RestorePlan, clock: Clock) {
  for (let attempt = 0; ; attempt++) {
    const job = await ensureJob(store, jobId, clock);
    if (job.generation >= plan.generation) {
      throw new RestoreRefusedError(
        `job ${jobId} moved to generation ${job.generation} while restoring (another restore?); run the restore again`,
      );
    }
    try {
      await store.updateJob(jobId, job.version, {
        ...job,
        generation: plan.generation,
        status: 'RUNNING',
        latestCheckpointId: plan.checkpointId,
        statusReason: `restored from ${plan.kind.toLowerCase()} ${plan.checkpointId} at ${new Date(clock.nowMs()).toISOString()}`,
        updatedAtMs: clock.nowMs(),
      });
      return;
    } catch (error) {
      if (!(error instanceof ConditionFailedError) || attempt >= 10) throw error;
    }
  }
}

async function discardIfCompleted(
  store: CheckpointStore,
  jobId: string,
  checkpointId: number,
): Promise<void> {
  try {
    await store.transitionCheckpoint(jobId, checkpointId, 'COMPLETED', { status: 'DISCARDED' });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}

/** Points a shard's cursor at the restored position in the new generation; retried if a writer races it. */
async function rewriteCursor(
  store: CheckpointStore,
  jobId: string,
  shardId: string,
  generation: number,
  sequenceNumber: string | undefined,
  clock: Clock,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const cursor = await store.getCursor(jobId, shardId);
    if (!cursor) return;
    const { lastSequenceNumber: _dropped, ...rest } = cursor;
    try {
      await store.replaceCursor(jobId, cursor.version, {
        ...rest,
        version: cursor.version + 1,
        generation,
        ...(sequenceNumber === undefined ? {} : { lastSequenceNumber: sequenceNumber }),
        owner: 'restore',
        updatedAtMs: clock.nowMs(),
      });
      return;
    } catch (error) {
      if (!(error instanceof ConditionFailedError) || attempt >= 20) throw error;
    }
  }
}
