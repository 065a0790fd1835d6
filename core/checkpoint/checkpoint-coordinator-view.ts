import type { CheckpointConfig } from '../config/index.js';
import type { CheckpointKind, JobStatus } from '../ports/checkpoint-store.js';

/** The options the CheckpointCoordinator decides with. */
export type CoordinatorConfig = Pick<
  CheckpointConfig,
  | 'intervalMs'
  | 'timeoutMs'
  | 'minPauseMs'
  | 'maxConcurrentCheckpoints'
  | 'tolerableFailedCheckpoints'
  | 'numRetainedCheckpoints'
>;

export interface PendingCheckpointView {
  checkpointId: number;
  kind: CheckpointKind;
  triggerTimeMs: number;
}

export interface CompletedCheckpointView {
  checkpointId: number;
  kind: CheckpointKind;
  completedAtMs: number;
}

/** What the coordinator knows at one instant; times are injected plain numbers (epoch ms). */
export interface CoordinatorView {
  nowMs: number;
  jobStatus: JobStatus;
  pending: PendingCheckpointView[];
  /** Trigger time of the last periodic checkpoint (savepoints do not move the schedule). */
  lastTriggerTimeMs?: number;
  /** Completion time of the last completed checkpoint or savepoint: the min pause is measured from it. */
  lastCompletionTimeMs?: number;
  /** Flink's CheckpointFailureManager counter; a completion resets it. */
  continuousFailureCount: number;
  /** Completed checkpoints and savepoints still stored, in any order. */
  completed: CompletedCheckpointView[];
}

export type CoordinatorAbortReason = 'CHECKPOINT_EXPIRED' | 'CHECKPOINT_SUBSUMED';

export interface CheckpointAbort {
  checkpointId: number;
  reason: CoordinatorAbortReason;
}

export interface CoordinatorDecision {
  abort: CheckpointAbort[];
  trigger: boolean;
  /** Completed CHECKPOINT ids to discard (never savepoints). */
  subsume: number[];
  /** Set when tolerableFailedCheckpoints is exceeded. */
  failJob?: { reason: string };
  /** The failure counter after this decision's aborts were counted: store it. */
  continuousFailureCount: number;
  /**
   * Earliest time something can change without an outside event (next trigger
   * due, next timeout), with this decision applied; Infinity when nothing is scheduled.
   */
  nextWakeMs: number;
  /** Short human-readable reasons, for logs and the status view. */
  why: string[];
}
