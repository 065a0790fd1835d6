import { abortCheckpoint } from '../checkpoint/checkpoint-cleanup.js';
import { isCheckpointError } from '../errors/index.js';
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
import {
  checkPositionsInStream,
  latestPositions,
  rebaseSavepoint,
  type StartPosition,
  trimHorizonPositions,
} from './restore-start-position.js';
import { discardIfCompleted, placeCursor, updateJobForRestore } from './restore-writes.js';

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
  /** Savepoints only: where the shards resume (default 'savepoint'). */
  startPosition?: StartPosition;
}

export interface RestorePlan {
  checkpointId: number;
  kind: CheckpointKind;
  completedAtMs: number;
  /** The generation the job moves to: every writer of an older one is fenced. */
  generation: number;
  startPosition: StartPosition;
  /**
   * `sequenceNumber`: the snapshot's (barrier) position; `startsAfter`: where the
   * shard resumes (a sequence number, or for 'latest' the shard's end when run).
   */
  shards: Array<{ shardId: string; sequenceNumber: string; startsAfter: string; sizeBytes: number }>;
  /** Pending checkpoints that will be aborted. */
  abortPending: number[];
  /** Completed checkpoints newer than the target (the abandoned timeline), discarded. */
  discardNewer: number[];
  /** trim_horizon / latest: the new savepoint holding the start positions (set when run). */
  rebasedAs?: number;
  warnings: string[];
  dryRun: boolean;
}

/** Shown as `startsAfter` in a dry run of 'latest': the marker is written only when the restore runs. */
export const LATEST_NOT_YET_KNOWN =
  "the shard's current end (a marker record, written when the restore runs)";

/**
 * Flink's "restore from a retained checkpoint or savepoint". Verifies before it
 * touches anything (COMPLETED, every snapshot present and matching its SHA-256,
 * positions within the stream's retention), then, in an order where every
 * prefix of the writes is safe:
 *   0. (trim_horizon / latest only) the savepoint is rebased: a new COMPLETED
 *      savepoint, same snapshots, acks at the start positions;
 *   1. the job's generation is bumped, its latest pointer set to the target
 *      (the one explicit backward move of the pointer) and its status RUNNING:
 *      cold starts of the old generation now wait (GenerationFenced, retried);
 *   2. pending checkpoints are aborted, newer completed ones discarded;
 *   3. every shard cursor is rewritten (or created) at the target's position
 *      with a new version, fencing warm containers of the old generation.
 * Processors then cold-start from the target's snapshots and replay from there.
 */
export async function restoreCheckpoint(
  deps: RestoreDependencies,
  request: RestoreRequest,
): Promise<RestorePlan> {
  const plan = await planRestore(deps, request);
  if (plan.dryRun) return plan;
  return executeRestore(deps, request.jobId, plan);
}

/** Carries out a plan made by planRestore or planRestoreOf (which checked everything). */
export async function executeRestore(
  deps: RestoreDependencies,
  jobId: string,
  planned: RestorePlan,
): Promise<RestorePlan> {
  const { store, clock } = deps;
  let plan = planned;
  if (plan.startPosition !== 'savepoint') {
    const source = await store.getCheckpoint(jobId, plan.checkpointId);
    if (!source) throw new RestoreRefusedError(`savepoint ${plan.checkpointId} disappeared while restoring`);
    const acks = (await store.listAcks(jobId, plan.checkpointId)).filter(
      (a) => a.generation === source.generation,
    );
    const positions =
      plan.startPosition === 'latest'
        ? await latestPositions(
            deps.writer,
            jobId,
            plan.shards.map((s) => s.shardId),
            clock,
          )
        : new Map(plan.shards.map((s) => [s.shardId, s.startsAfter]));
    const rebasedAs = await rebaseSavepoint(deps, jobId, source, acks, positions);
    plan = {
      ...plan,
      rebasedAs,
      shards: plan.shards.map((s) => ({ ...s, startsAfter: positions.get(s.shardId) ?? s.startsAfter })),
    };
  }
  const target = { ...plan, checkpointId: plan.rebasedAs ?? plan.checkpointId };
  await updateJobForRestore(store, jobId, target, clock);
  for (const checkpointId of plan.abortPending)
    await abortCheckpoint(deps, jobId, checkpointId, 'RESTORED_ELSEWHERE');
  for (const checkpointId of plan.discardNewer) await discardIfCompleted(store, jobId, checkpointId);
  const positions = new Map(plan.shards.map((s) => [s.shardId, s.startsAfter]));
  const cursors = new Set((await store.listCursors(jobId)).map((c) => c.shardId));
  for (const shardId of new Set([...cursors, ...positions.keys()])) {
    await placeCursor(store, jobId, shardId, plan.generation, positions.get(shardId), clock);
  }
  return plan;
}

/** Everything restore checks, and what it would do: no write happens here. */
export async function planRestore(deps: RestoreDependencies, request: RestoreRequest): Promise<RestorePlan> {
  const job = await deps.store.getJob(request.jobId);
  if (!job)
    throw new RestoreRefusedError(`job ${request.jobId} has no checkpoint metadata: nothing to restore from`);
  const records = await deps.store.listCheckpoints(request.jobId);
  const target = resolveTarget(job, records, request);
  const acks = (await deps.store.listAcks(request.jobId, target.checkpointId)).filter(
    (a) => a.generation === target.generation,
  );
  return planRestoreOf(deps, request, job, records, target, acks);
}

/** The checks and the plan for a resolved target (also for a savepoint about to be imported). */
export async function planRestoreOf(
  deps: RestoreDependencies,
  request: Omit<RestoreRequest, 'checkpointId'>,
  job: JobMeta | undefined,
  records: CheckpointRecord[],
  target: CheckpointRecord,
  acks: ShardAck[],
): Promise<RestorePlan> {
  const { writer } = deps;
  const warnings: string[] = [];
  if (request.preferCheckpointForRecovery) {
    warnings.push(
      'preferCheckpointForRecovery is enabled: a newer savepoint is ignored for "latest"; Flink removed this option ' +
        'after data-loss reports (FLINK-20427).',
    );
  }
  const startPosition = request.startPosition ?? 'savepoint';
  if (request.startPosition !== undefined && target.kind !== 'SAVEPOINT') {
    throw new RestoreRefusedError(
      `startPosition applies to savepoints only, and ${target.checkpointId} is a checkpoint, which always resumes ` +
        `from its own positions: restore it without startPosition, or name a savepoint (${completedList(records)})`,
      target.checkpointId,
    );
  }
  const acked = new Set(acks.map((a) => a.shardId));
  const missing = target.expectedShards.filter((s) => !acked.has(s));
  if (missing.length > 0) {
    throw new RestoreRefusedError(
      `checkpoint ${target.checkpointId} lacks snapshots for shards ${missing.join(', ')}; restore another checkpoint`,
      target.checkpointId,
    );
  }
  for (const ack of acks) await verifySnapshot(deps, ack, target.checkpointId);
  const streamShards = await writer.listShards();
  let startsAfter = new Map(acks.map((a) => [a.shardId, a.sequenceNumber]));
  if (startPosition === 'savepoint') {
    checkPositionsInStream(target.checkpointId, acks, streamShards);
    await checkRetention(deps, request, target, warnings);
  } else {
    const horizon = trimHorizonPositions(target.checkpointId, acks, streamShards);
    if (startPosition === 'trim_horizon') {
      startsAfter = horizon;
      warnings.push(
        "startPosition trim_horizon: every record still in the stream is applied again on top of the savepoint's " +
          'state; records the savepoint already covers are counted twice unless the stream is not the one it was taken on.',
      );
    } else {
      startsAfter = new Map(acks.map((a) => [a.shardId, LATEST_NOT_YET_KNOWN]));
      warnings.push(
        "startPosition latest: records between the savepoint's positions and the current end of each shard are " +
          'skipped; their effect is not in the restored state.',
      );
    }
  }
  return {
    checkpointId: target.checkpointId,
    kind: target.kind,
    completedAtMs: target.completedAtMs ?? 0,
    // A job not created yet starts at generation 1 (ensureJob), as the import creates it.
    generation: (job?.generation ?? 1) + 1,
    startPosition,
    shards: acks
      .map((a) => ({
        shardId: a.shardId,
        sequenceNumber: a.sequenceNumber,
        startsAfter: startsAfter.get(a.shardId) ?? a.sequenceNumber,
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

async function checkRetention(
  deps: RestoreDependencies,
  request: Pick<RestoreRequest, 'allowDataLoss'>,
  target: CheckpointRecord,
  warnings: string[],
): Promise<void> {
  const retentionHours = await deps.writer.retentionPeriodHours();
  const ageMs = deps.clock.nowMs() - target.triggerTimeMs;
  if (ageMs <= retentionHours * 3_600_000) return;
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

function completedList(records: CheckpointRecord[]): string {
  const completed = records.filter((r) => r.status === 'COMPLETED');
  return completed.length === 0
    ? 'there is no completed checkpoint or savepoint yet'
    : `completed: ${completed.map((r) => `${r.checkpointId} (${r.kind.toLowerCase()})`).join(', ')}`;
}

function resolveTarget(job: JobMeta, records: CheckpointRecord[], request: RestoreRequest): CheckpointRecord {
  const completed = records.filter((r) => r.status === 'COMPLETED');
  const available = () => completedList(records);
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
