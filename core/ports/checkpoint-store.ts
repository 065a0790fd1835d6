import type { SnapshotRef } from './snapshot-store.js';

/**
 * Checkpoint metadata, one DynamoDB table (pk/sk) in production:
 *   JOB#<job> / META                     JobMeta
 *   JOB#<job> / CKPT#<id:12>             CheckpointRecord
 *   JOB#<job> / ACK#<id:12>#<shardId>    ShardAck (one item per shard: no 400 KB limit, no hot item)
 *   JOB#<job> / SHARD#<shardId>          ShardCursor
 * Every write that decides something is conditional; the failed condition
 * surfaces as ConditionFailedError. No transactions: each write alone is a safe step.
 */

export const CHECKPOINT_ID_DIGITS = 12;
/** Largest checkpoint id: ids are zero-padded to 12 digits in sort keys. */
export const MAX_CHECKPOINT_ID = 10 ** CHECKPOINT_ID_DIGITS - 1;

export type JobStatus = 'RUNNING' | 'FAILED' | 'CANCELED';

export interface FailureEntry {
  atMs: number;
  reason: string;
}

export interface JobMeta {
  jobId: string;
  /** Bumped by every restore: fences every writer of an older generation. */
  generation: number;
  status: JobStatus;
  /** Latest COMPLETED checkpoint or savepoint; moves forward only, except by restore. */
  latestCheckpointId?: number;
  /** Last id handed out by the CheckpointIDCounter. */
  lastCheckpointId: number;
  /** Optimistic-concurrency version of this item. */
  version: number;
  failures: FailureEntry[];
  /** Restart-strategy bookkeeping beyond the failure list (attempts, last delay). */
  restart?: RestartBookkeeping;
  statusReason?: string;
  updatedAtMs: number;
}

export interface RestartBookkeeping {
  restartAttempts?: number;
  lastRestartDelayMs?: number;
  lastFailureAtMs?: number;
}

export type CheckpointStatus = 'PENDING' | 'COMPLETED' | 'ABORTED' | 'DISCARDED';
export type CheckpointKind = 'CHECKPOINT' | 'SAVEPOINT';

export interface CheckpointRecord {
  checkpointId: number;
  kind: CheckpointKind;
  status: CheckpointStatus;
  generation: number;
  triggerTimeMs: number;
  /** Shards that must ack before the checkpoint can complete. */
  expectedShards: string[];
  /** Key prefix under which this checkpoint's files live (checkpoints.dir or savepoints.dir). */
  storagePrefix: string;
  completedAtMs?: number;
  failureReason?: string;
  /**
   * Why an ABORTED checkpoint was given up, as a Flink CheckpointFailureReason code
   * (CHECKPOINT_EXPIRED, CHECKPOINT_DECLINED, ...): the failure counter is derived from it.
   */
  abortReason?: string;
  totalSizeBytes?: number;
  /** Recorded at completion (Flink's checkpoint statistics). */
  stats?: CheckpointStatistics;
}

export interface CheckpointStatistics {
  /** Trigger to completion. */
  durationMs: number;
  shards: number;
  /** Per-shard ack latency (ack time - trigger time). */
  ackLatencyMs: { min: number; median: number; max: number };
  /** Shards whose snapshot was inlined in the ack (below the memory threshold). */
  inlineShards: number;
  largestSnapshotBytes: number;
}

export interface InlineSnapshot {
  inline: Uint8Array;
  sha256: string;
  sizeBytes: number;
}

export type AckedSnapshot = { ref: SnapshotRef } | InlineSnapshot;

export interface ShardAck {
  checkpointId: number;
  shardId: string;
  generation: number;
  /** Sequence number of the barrier: the snapshot holds the state just before it. */
  sequenceNumber: string;
  snapshot: AckedSnapshot;
  ackTimeMs: number;
}

export interface ShardCursor {
  shardId: string;
  /** Bumped by every commit; a writer holding an older version is fenced. */
  version: number;
  generation: number;
  /** First record this job ever saw on the shard: an empty state sits just before it. */
  initialSequenceNumber: string;
  /** Last sequence number whose effect is part of the committed state. */
  lastSequenceNumber?: string;
  /** Who committed last (container id), for diagnosis only. */
  owner?: string;
  updatedAtMs: number;
}

export interface CursorCommit {
  lastSequenceNumber: string;
  owner: string;
  updatedAtMs: number;
}

export interface CheckpointStore {
  // --- job -------------------------------------------------------------
  createJob(meta: JobMeta): Promise<void>;
  getJob(jobId: string): Promise<JobMeta | undefined>;
  /** Replaces the job item if its version is still `expectedVersion`; writes version + 1. */
  updateJob(jobId: string, expectedVersion: number, next: Omit<JobMeta, 'version'>): Promise<JobMeta>;
  /**
   * CheckpointIDCounter: atomically increments and returns the new id. With
   * `expectedLastCheckpointId`, only if the counter still stands there (a trigger
   * decided on a view that has not moved); otherwise ConditionFailedError.
   */
  allocateCheckpointId(jobId: string, expectedLastCheckpointId?: number): Promise<number>;
  /** Moves the latest pointer to `checkpointId` only if it is newer than the current one. */
  advanceLatestCheckpoint(jobId: string, checkpointId: number): Promise<void>;

  // --- checkpoints ------------------------------------------------------
  createCheckpoint(jobId: string, record: CheckpointRecord): Promise<void>;
  getCheckpoint(jobId: string, checkpointId: number): Promise<CheckpointRecord | undefined>;
  /** Conditional on the current status being `from`. */
  transitionCheckpoint(
    jobId: string,
    checkpointId: number,
    from: CheckpointStatus,
    next: Partial<Omit<CheckpointRecord, 'checkpointId' | 'kind'>> & { status: CheckpointStatus },
  ): Promise<CheckpointRecord>;
  listCheckpoints(jobId: string): Promise<CheckpointRecord[]>;
  deleteCheckpoint(jobId: string, checkpointId: number): Promise<void>;

  // --- acks -------------------------------------------------------------
  /** Once per (checkpoint, shard): a second ack fails with ConditionFailedError. */
  putAck(jobId: string, ack: ShardAck): Promise<void>;
  getAck(jobId: string, checkpointId: number, shardId: string): Promise<ShardAck | undefined>;
  listAcks(jobId: string, checkpointId: number): Promise<ShardAck[]>;
  deleteAcks(jobId: string, checkpointId: number): Promise<void>;

  // --- cursors ----------------------------------------------------------
  createCursor(jobId: string, cursor: ShardCursor): Promise<void>;
  /** Strongly consistent read. */
  getCursor(jobId: string, shardId: string): Promise<ShardCursor | undefined>;
  /** Conditional on version === expectedVersion; returns the new version (expectedVersion + 1). */
  commitCursor(
    jobId: string,
    shardId: string,
    expectedVersion: number,
    commit: CursorCommit,
  ): Promise<number>;
  /** Overwrites a cursor (restore): conditional on version === expectedVersion. */
  replaceCursor(jobId: string, expectedVersion: number, cursor: ShardCursor): Promise<void>;
  listCursors(jobId: string): Promise<ShardCursor[]>;
}
