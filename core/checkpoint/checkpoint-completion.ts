import { CheckpointError, ConditionFailedError, isCheckpointError, NotFoundError } from '../errors/index.js';
import type {
  CheckpointRecord,
  CheckpointStatistics,
  CheckpointStore,
  ShardAck,
} from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import type { StreamWriter } from '../ports/stream.js';
import { writeSavepointMetadata } from '../recovery/savepoint-metadata.js';
import { sha256Hex } from '../snapshot/index.js';

export interface CompletionDependencies {
  store: CheckpointStore;
  snapshots: SnapshotStore;
  clock: Clock;
  /** When present, a savepoint's _metadata names its stream. */
  writer?: Pick<StreamWriter, 'streamName'>;
}

export type CompletionResult =
  | { status: 'COMPLETED'; checkpoint: CheckpointRecord; acks: ShardAck[] }
  | { status: 'PENDING'; missingShards: string[]; leftToShard?: string }
  | { status: 'ABORTED'; reason: string }
  | { status: 'NOT_PENDING'; checkpoint: CheckpointRecord | undefined };

/** Which expected shards have not acknowledged in the checkpoint's generation. Pure. */
export function missingShards(checkpoint: CheckpointRecord, acks: ShardAck[]): string[] {
  const acked = new Set(acks.filter((a) => a.generation === checkpoint.generation).map((a) => a.shardId));
  return checkpoint.expectedShards.filter((s) => !acked.has(s));
}

/**
 * No I/O: a snapshot in the store was checked against this very SHA-256 on upload
 * (S3 refuses a body that does not match its ChecksumSHA256), so its ref is trusted
 * for size and hash; an inline snapshot is hashed here. Restore and cold start
 * still verify every byte they read, which catches bit rot after the upload.
 */
export function verifyAck(ack: ShardAck): void {
  const s = ack.snapshot;
  if ('ref' in s) return;
  if (sha256Hex(s.inline) !== s.sha256 || s.inline.length !== s.sizeBytes) {
    throw new CheckpointError(
      'SNAPSHOT_CORRUPT',
      `inline snapshot of shard ${ack.shardId} does not match its SHA-256`,
    );
  }
}

/**
 * Completes a PENDING checkpoint once every expected shard has acknowledged with
 * a snapshot whose bytes match its SHA-256 (invariant 2), then moves the latest
 * pointer forward (never backwards: invariant 4). A snapshot that fails
 * verification aborts the checkpoint (it is declined, not retried).
 */
export async function tryCompleteCheckpoint(
  deps: CompletionDependencies,
  jobId: string,
  checkpointId: number,
  options: CompletionOptions = {},
): Promise<CompletionResult> {
  const { store, snapshots, clock } = deps;
  const checkpoint = await store.getCheckpoint(jobId, checkpointId);
  if (checkpoint?.status === 'COMPLETED') {
    // A completion whose pointer move was lost (a crash or an ambiguous write between the
    // two writes): finish it. Moving forward only, it is safe to repeat.
    await advanceIfCurrentGeneration(store, jobId, checkpoint);
  }
  if (checkpoint?.status !== 'PENDING') return { status: 'NOT_PENDING', checkpoint };
  const acks = (await store.listAcks(jobId, checkpointId, checkpoint.kind)).filter(
    (a) => a.generation === checkpoint.generation,
  );
  const missing = missingShards(checkpoint, acks);
  if (missing.length > 0) return { status: 'PENDING', missingShards: missing };
  const expected = new Set(checkpoint.expectedShards);
  const counted = acks.filter((a) => expected.has(a.shardId));
  if (options.asAckerOf !== undefined) {
    const last = lastAck(counted);
    if (last && last.shardId !== options.asAckerOf) {
      return { status: 'PENDING', missingShards: [], leftToShard: last.shardId };
    }
  }
  try {
    for (const ack of counted) verifyAck(ack);
  } catch (error) {
    if (!isCheckpointError(error, 'SNAPSHOT_CORRUPT') && !isCheckpointError(error, 'NOT_FOUND')) throw error;
    const reason = `snapshot verification failed: ${(error as Error).message}`;
    const declined = await transitionFromPending(store, jobId, checkpointId, {
      status: 'ABORTED',
      failureReason: reason,
      abortReason: 'CHECKPOINT_DECLINED',
    });
    if (!declined)
      return { status: 'NOT_PENDING', checkpoint: await store.getCheckpoint(jobId, checkpointId) };
    return { status: 'ABORTED', reason };
  }
  const completedAtMs = clock.nowMs();
  // Recovery (#6): a savepoint writes its self-describing _metadata (for a restore into a fresh
  // deployment) before it becomes COMPLETED, so every COMPLETED savepoint has one.
  if (checkpoint.kind === 'SAVEPOINT')
    await writeSavepointMetadata(
      snapshots,
      jobId,
      checkpoint,
      counted,
      completedAtMs,
      deps.writer?.streamName,
    );
  const completed = await transitionFromPending(store, jobId, checkpointId, {
    status: 'COMPLETED',
    completedAtMs,
    totalSizeBytes: counted.reduce((sum, a) => sum + snapshotSize(a), 0),
    stats: checkpointStatistics(checkpoint, counted, completedAtMs),
  });
  if (!completed) {
    // Another actor (a processor, the supervisor) completed or aborted it first.
    const current = await store.getCheckpoint(jobId, checkpointId);
    if (current?.status === 'COMPLETED') await advanceIfCurrentGeneration(store, jobId, current);
    return { status: 'NOT_PENDING', checkpoint: current };
  }
  await store.advanceLatestCheckpoint(jobId, checkpointId);
  return { status: 'COMPLETED', checkpoint: completed, acks: counted };
}

export interface CompletionOptions {
  /**
   * The caller is the processor of this shard, stepping because it acked: it
   * completes only if its ack is the last one (newest ackTimeMs, then highest
   * shard id), so shards acking at once do not all download and verify the
   * snapshots. Should the last acker miss the full set, the leader's or the
   * supervisor's next step completes it.
   */
  asAckerOf?: string;
}

/** The last ack of a set: newest ackTimeMs, then highest shard id. */
export function lastAck(acks: ShardAck[]): ShardAck | undefined {
  return acks.reduce<ShardAck | undefined>(
    (a, b) =>
      a === undefined || b.ackTimeMs > a.ackTimeMs || (b.ackTimeMs === a.ackTimeMs && b.shardId > a.shardId)
        ? b
        : a,
    undefined,
  );
}

/** A transition from PENDING; undefined when another writer moved the checkpoint first. */
async function transitionFromPending(
  store: CheckpointStore,
  jobId: string,
  checkpointId: number,
  next: Parameters<CheckpointStore['transitionCheckpoint']>[3],
): Promise<CheckpointRecord | undefined> {
  try {
    return await store.transitionCheckpoint(jobId, checkpointId, 'PENDING', next);
  } catch (error) {
    if (error instanceof ConditionFailedError || error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Bytes of an acked snapshot, stored or inline. */
export function snapshotSize(ack: ShardAck): number {
  return 'ref' in ack.snapshot ? ack.snapshot.ref.sizeBytes : ack.snapshot.sizeBytes;
}

/** Flink-style checkpoint statistics, from the acks. Pure. */
export function checkpointStatistics(
  checkpoint: CheckpointRecord,
  acks: ShardAck[],
  completedAtMs: number,
): CheckpointStatistics {
  const latencies = acks
    .map((a) => Math.max(0, a.ackTimeMs - checkpoint.triggerTimeMs))
    .sort((a, b) => a - b);
  return {
    durationMs: Math.max(0, completedAtMs - checkpoint.triggerTimeMs),
    shards: acks.length,
    ackLatencyMs: {
      min: latencies[0] ?? 0,
      median: latencies[Math.floor((latencies.length - 1) / 2)] ?? 0,
      max: latencies[latencies.length - 1] ?? 0,
    },
    inlineShards: acks.filter((a) => 'inline' in a.snapshot).length,
    largestSnapshotBytes: acks.reduce((max, a) => Math.max(max, snapshotSize(a)), 0),
  };
}

/** Moves the latest pointer to a completed checkpoint of the job's current generation (never backwards). */
export async function advanceIfCurrentGeneration(
  store: CheckpointStore,
  jobId: string,
  checkpoint: CheckpointRecord,
): Promise<void> {
  const job = await store.getJob(jobId);
  if (!job || job.generation !== checkpoint.generation) return; // a restore chose another timeline
  if (job.latestCheckpointId !== undefined && job.latestCheckpointId >= checkpoint.checkpointId) return;
  await store.advanceLatestCheckpoint(jobId, checkpoint.checkpointId);
}
