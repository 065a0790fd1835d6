import type { SnapshotRef } from './snapshot-store.js';

/**
 * Checkpoint metadata, one DynamoDB table (pk/sk) in production:
 *   JOB#<job> / META                     JobMeta, and the ledger: every CheckpointRecord of kind CHECKPOINT
 *   JOB#<job> / CKPT#<id:12>             CheckpointRecord of kind SAVEPOINT (kept until disposed)
 *   JOB#<job> / ACK#S<slot:3>#<shardId>  ShardAck of a checkpoint, in slot id mod ACK_SLOTS (overwritten, never deleted)
 *   JOB#<job> / ACK#<id:12>#<shardId>    ShardAck of a savepoint
 *   JOB#<job> / SHARD#<shardId>          ShardCursor
 * One item per ack: no 400 KB limit, no hot item. The coordinator's state is one
 * item (docs/adr/0001-coordinator-cost.md): a step that completes, subsumes and
 * triggers is one conditional write of META (commitLedger).
 * Every write that decides something is conditional; the failed condition
 * surfaces as ConditionFailedError. No transactions: each write alone is a safe step.
 */

export const CHECKPOINT_ID_DIGITS = 12;
/**
 * Ack slots of periodic checkpoints: the acks of checkpoint n live in slot n mod
 * ACK_SLOTS, so the table holds at most ACK_SLOTS x shards checkpoint acks and
 * none is ever deleted. A trigger never picks an id whose slot a pending or
 * retained checkpoint still uses (see core/checkpoint/ack-slots.ts).
 */
export const ACK_SLOTS = 64;
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
  /** Savepoint acks keep their own items; absent: a periodic checkpoint's (slot) ack. */
  kind?: 'SAVEPOINT';
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

/** The coordinator's state as one item: the job and the ledger of periodic checkpoints. */
export interface JobLedger {
  job: JobMeta;
  /** Every CheckpointRecord of kind CHECKPOINT, by ascending id. */
  checkpoints: CheckpointRecord[];
}

/** One coordinator step's changes, written at once (commitLedger). */
export interface LedgerChange {
  /** Records of kind CHECKPOINT to write (new or changed). */
  put?: CheckpointRecord[];
  /** Ids to drop from the ledger (subsumed, pruned history). */
  remove?: number[];
  /** The counter, when this step triggered: must be above the stored one. */
  lastCheckpointId?: number;
  /** The latest pointer, forward only. */
  latestCheckpointId?: number;
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

  /** The job and its ledger, in one strongly consistent read. */
  readLedger(jobId: string): Promise<JobLedger | undefined>;
  /**
   * Applies a step's changes to `base` (what readLedger returned) in one
   * conditional write, if the job's version is still `base.job.version` (a counter
   * that would not move forward, or a pointer that would move back, is refused
   * too: ConditionFailedError). Bumps the version; returns the new job and ledger.
   */
  commitLedger(jobId: string, base: JobLedger, change: LedgerChange): Promise<JobLedger>;

  // --- checkpoints ------------------------------------------------------
  /** Kind CHECKPOINT goes to the ledger (bumping the job version), SAVEPOINT to its own item. */
  createCheckpoint(jobId: string, record: CheckpointRecord): Promise<void>;
  getCheckpoint(jobId: string, checkpointId: number): Promise<CheckpointRecord | undefined>;
  /** Conditional on the current status being `from`. */
  transitionCheckpoint(
    jobId: string,
    checkpointId: number,
    from: CheckpointStatus,
    next: Partial<Omit<CheckpointRecord, 'checkpointId' | 'kind'>> & { status: CheckpointStatus },
  ): Promise<CheckpointRecord>;
  /** By ascending id; `kind` lists only the ledger (CHECKPOINT) or only the savepoint items. */
  listCheckpoints(jobId: string, kind?: CheckpointKind): Promise<CheckpointRecord[]>;
  deleteCheckpoint(jobId: string, checkpointId: number): Promise<void>;

  // --- acks -------------------------------------------------------------
  /**
   * Once per (checkpoint, shard): a second ack fails with ConditionFailedError, and
   * so does a checkpoint's ack into a slot that holds a newer checkpoint's.
   */
  putAck(jobId: string, ack: ShardAck): Promise<void>;
  /**
   * `kind` says where to look: a savepoint's own items, or a checkpoint's slot;
   * without it, the slot first, then a savepoint's items (one more read).
   */
  getAck(
    jobId: string,
    checkpointId: number,
    shardId: string,
    kind?: CheckpointKind,
  ): Promise<ShardAck | undefined>;
  listAcks(jobId: string, checkpointId: number, kind?: CheckpointKind): Promise<ShardAck[]>;
  /** A slot ack is deleted only while it still holds this checkpoint's. */
  deleteAcks(jobId: string, checkpointId: number, kind?: CheckpointKind): Promise<void>;

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
