import { ensureJob } from '../checkpoint/job.js';
import { ConditionFailedError } from '../errors/index.js';
import type { CheckpointRecord, JobMeta, ShardAck } from '../ports/checkpoint-store.js';
import type { ShardDescription } from '../ports/stream.js';
import {
  executeRestore,
  planRestoreOf,
  type RestoreDependencies,
  type RestorePlan,
  type RestoreRequest,
} from './restore.js';
import { RestoreRefusedError } from './restore-errors.js';
import { readSavepointMetadata, type SavepointMetadata } from './savepoint-metadata.js';

export interface SavepointImportRequest extends Omit<RestoreRequest, 'checkpointId'> {
  /** `s3://<bucket>/<prefix>` or a bucket-relative prefix: the savepoint's directory (or its _metadata). */
  savepointPath: string;
  /** Import the savepoint of another job id into this one. */
  allowJobIdChange?: boolean;
  /** The deployment's state bucket: an s3:// path must name it. */
  bucket?: string;
}

export interface SavepointImportPlan extends RestorePlan {
  /** The savepoint as its _metadata describes it. */
  source: { jobId: string; checkpointId: number; storagePrefix: string };
  /** Savepoint shard -> this stream's shard (by position when the ids differ). */
  shardMapping: Array<{ from: string; to: string }>;
  /** False when this job already held the savepoint (a repeated import restores that record). */
  imported: boolean;
}

/** The bucket-relative directory of a savepoint path. */
export function savepointPrefixOf(path: string, bucket: string | undefined): string {
  let prefix = path.trim();
  if (prefix.startsWith('s3://')) {
    const rest = prefix.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const named = slash === -1 ? rest : rest.slice(0, slash);
    if (bucket !== undefined && named !== bucket) {
      throw new RestoreRefusedError(
        `savepointPath ${path}: expected a savepoint in this deployment's bucket ${bucket}, found bucket ${named}; ` +
          `copy the savepoint directory into s3://${bucket}/ (aws s3 sync) and give that path`,
      );
    }
    prefix = slash === -1 ? '' : rest.slice(slash + 1);
  }
  prefix = prefix.replace(/\/+$/, '').replace(/\/_metadata$/, '');
  if (prefix === '' || prefix.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new RestoreRefusedError(
      `savepointPath: expected "s3://<bucket>/<savepoint directory>" or its key prefix, found ${JSON.stringify(path)}`,
    );
  }
  return prefix;
}

/**
 * Savepoint shards onto this stream's open shards: the same ids when they are
 * all there, else by position (sorted ids) when the counts match. State is
 * keyed by shard, so any other count cannot be mapped without resharding state.
 */
export function mapShards(
  metadata: SavepointMetadata,
  stream: ShardDescription[],
): Array<{ from: string; to: string }> {
  const from = metadata.shards.map((s) => s.shardId).sort();
  const open = stream
    .filter((s) => s.endingSequenceNumber === undefined)
    .map((s) => s.shardId)
    .sort();
  const ids = new Set(stream.map((s) => s.shardId));
  if (from.every((id) => ids.has(id))) return from.map((id) => ({ from: id, to: id }));
  if (from.length !== open.length) {
    throw new RestoreRefusedError(
      `savepoint ${metadata.checkpointId} of job ${metadata.jobId} has ${from.length} shards (${from.join(', ')}) ` +
        `and this stream has ${open.length} open shards (${open.join(', ')}): state can be mapped only onto the ` +
        `same number of shards; create the stream with ${from.length} shards, restore, then reshard`,
    );
  }
  return from.map((id, i) => ({ from: id, to: open[i]! }));
}

function acksOf(
  metadata: SavepointMetadata,
  mapping: Array<{ from: string; to: string }>,
  target: CheckpointRecord,
): ShardAck[] {
  const to = new Map(mapping.map((m) => [m.from, m.to]));
  return metadata.shards.map((s) => ({
    checkpointId: target.checkpointId,
    shardId: to.get(s.shardId) ?? s.shardId,
    generation: target.generation,
    sequenceNumber: s.sequenceNumber,
    snapshot:
      'key' in s.snapshot
        ? { ref: { ...s.snapshot } }
        : {
            inline: new Uint8Array(Buffer.from(s.snapshot.inlineBase64, 'base64')),
            sha256: s.snapshot.sha256,
            sizeBytes: s.snapshot.sizeBytes,
          },
    ackTimeMs: metadata.completedAtMs,
  }));
}

/**
 * Flink's `run -s <savepointPath>` for a fresh deployment: reads the savepoint's
 * `_metadata`, checks it all (job id, shard mapping, every snapshot's SHA-256,
 * positions) before writing anything, then records it in this job as a COMPLETED
 * savepoint with its acks and restores it through the normal path.
 */
export async function restoreSavepointPath(
  deps: RestoreDependencies,
  request: SavepointImportRequest,
): Promise<SavepointImportPlan> {
  const { store } = deps;
  const { jobId } = request;
  const storagePrefix = savepointPrefixOf(request.savepointPath, request.bucket);
  const metadata = await readSavepointMetadata(deps.snapshots, storagePrefix, request.savepointPath);
  if (metadata.jobId !== jobId && !request.allowJobIdChange) {
    throw new RestoreRefusedError(
      `savepoint ${metadata.checkpointId} at ${request.savepointPath} belongs to job ${metadata.jobId}, and this ` +
        `deployment runs job ${jobId}; pass allowJobIdChange: true to import its state into job ${jobId}`,
      metadata.checkpointId,
    );
  }
  const job = await store.getJob(jobId);
  const records = job ? await store.listCheckpoints(jobId) : [];
  const held = records
    .filter(
      (r) => r.status === 'COMPLETED' && r.kind === 'SAVEPOINT' && r.storagePrefix === metadata.storagePrefix,
    )
    .sort((a, b) => a.checkpointId - b.checkpointId)[0];
  const completed = records.filter((r) => r.status === 'COMPLETED');
  if (!held && completed.length > 0) {
    throw new RestoreRefusedError(
      `job ${jobId} already has completed checkpoints or savepoints ` +
        `(${completed.map((r) => r.checkpointId).join(', ')}): a savepointPath imports into a job with no state ` +
        'of its own (a fresh deployment); restore one of them by checkpointId, or deploy with a fresh table',
    );
  }
  if (
    metadata.stream !== undefined &&
    metadata.stream !== deps.writer.streamName &&
    (request.startPosition ?? 'savepoint') === 'savepoint'
  ) {
    throw new RestoreRefusedError(
      `savepoint ${metadata.checkpointId} at ${request.savepointPath} was taken on stream ${metadata.stream}, ` +
        `and this deployment reads stream ${deps.writer.streamName}: its positions mean nothing here; pass ` +
        'startPosition "trim_horizon" (apply every record of this stream on top of the savepoint\'s state) or ' +
        '"latest" (only records that arrive from now on)',
      metadata.checkpointId,
    );
  }
  const mapping = mapShards(metadata, await deps.writer.listShards());
  const target: CheckpointRecord = held ?? {
    checkpointId: (job?.lastCheckpointId ?? 0) + 1,
    kind: 'SAVEPOINT',
    status: 'COMPLETED',
    generation: job?.generation ?? 1,
    triggerTimeMs: metadata.triggerTimeMs,
    completedAtMs: metadata.completedAtMs,
    expectedShards: mapping.map((m) => m.to),
    storagePrefix: metadata.storagePrefix,
    totalSizeBytes: metadata.shards.reduce((sum, s) => sum + s.snapshot.sizeBytes, 0),
  };
  const acks = acksOf(metadata, mapping, target);
  const plan = await planRestoreOf(deps, request, job, records, target, acks);
  const result = (p: RestorePlan): SavepointImportPlan => ({
    ...p,
    source: {
      jobId: metadata.jobId,
      checkpointId: metadata.checkpointId,
      storagePrefix: metadata.storagePrefix,
    },
    shardMapping: mapping,
    imported: !held,
  });
  if (plan.dryRun) return result(plan);
  const checkpointId = held ? held.checkpointId : await importRecord(deps, jobId, target);
  await putAcks(deps, jobId, checkpointId, acks, held ?? (await store.getCheckpoint(jobId, checkpointId))!);
  return result(await executeRestore(deps, jobId, { ...plan, checkpointId }));
}

/** The savepoint's record in this job, COMPLETED from the start (see rebaseSavepoint for why). */
async function importRecord(
  deps: RestoreDependencies,
  jobId: string,
  target: CheckpointRecord,
): Promise<number> {
  const job: JobMeta = await ensureJob(deps.store, jobId, deps.clock);
  const checkpointId = await deps.store.allocateCheckpointId(jobId);
  await deps.store.createCheckpoint(jobId, { ...target, checkpointId, generation: job.generation });
  return checkpointId;
}

/** Idempotent: a repeated import (after one killed half way) puts only the acks still missing. */
async function putAcks(
  deps: RestoreDependencies,
  jobId: string,
  checkpointId: number,
  acks: ShardAck[],
  record: CheckpointRecord,
): Promise<void> {
  for (const ack of acks) {
    try {
      await deps.store.putAck(jobId, {
        ...ack,
        kind: 'SAVEPOINT',
        checkpointId,
        generation: record.generation,
      });
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }
}
