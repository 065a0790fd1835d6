import { FLINK_UNLIMITED } from '../config/index.js';
import type { CheckpointKind } from '../ports/checkpoint-store.js';

/**
 * Flink's CheckpointFailureManager as pure functions: a counter of consecutive
 * failed checkpoints, compared with `tolerableFailedCheckpoints`. The counter
 * lives in the caller's state (the job item); a completion resets it.
 */

/**
 * Why a checkpoint failed, in Flink's CheckpointFailureReason names (the ones that
 * can happen here). Named apart from the library's error codes (errors/CheckpointFailureReason),
 * which say why a call failed, not why a checkpoint was given up.
 */
export type CheckpointAbortReason =
  | 'CHECKPOINT_EXPIRED'
  | 'CHECKPOINT_DECLINED'
  | 'CHECKPOINT_ASYNC_EXCEPTION'
  | 'IO_EXCEPTION'
  | 'CHECKPOINT_SUBSUMED'
  | 'CHECKPOINT_DECLINED_SUBSUMED'
  | 'CHECKPOINT_DECLINED_TASK_NOT_READY'
  | 'TOO_MANY_CHECKPOINT_REQUESTS'
  | 'MINIMUM_TIME_BETWEEN_CHECKPOINTS'
  | 'CHECKPOINT_COORDINATOR_SHUTDOWN'
  | 'JOB_FAILURE'
  | 'TRIGGER_CHECKPOINT_FAILURE'
  | 'FINALIZE_CHECKPOINT_FAILURE';

/**
 * Whether a failure counts toward `tolerableFailedCheckpoints`, as in Flink's
 * CheckpointFailureManager.checkFailureCounter: only expired, declined and
 * snapshot/IO failures do; a subsumed checkpoint, a refused trigger or a job
 * failure say nothing about checkpoint health.
 */
export const COUNTS_TOWARD_TOLERABLE: Readonly<Record<CheckpointAbortReason, boolean>> = {
  CHECKPOINT_EXPIRED: true,
  CHECKPOINT_DECLINED: true,
  CHECKPOINT_ASYNC_EXCEPTION: true,
  IO_EXCEPTION: true,
  CHECKPOINT_SUBSUMED: false,
  CHECKPOINT_DECLINED_SUBSUMED: false,
  CHECKPOINT_DECLINED_TASK_NOT_READY: false,
  TOO_MANY_CHECKPOINT_REQUESTS: false,
  MINIMUM_TIME_BETWEEN_CHECKPOINTS: false,
  CHECKPOINT_COORDINATOR_SHUTDOWN: false,
  JOB_FAILURE: false,
  TRIGGER_CHECKPOINT_FAILURE: false,
  FINALIZE_CHECKPOINT_FAILURE: false,
};

export interface FailureCount {
  /** The consecutive failure counter to store. */
  count: number;
  /** Set when the counter went over `tolerableFailedCheckpoints`: fail the job with this reason. */
  failJob?: string;
}

/** Flink's message, so users can search for it. */
export const EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE_MESSAGE =
  'Exceeded checkpoint tolerable failure threshold.';

/**
 * Counts one failed checkpoint. Savepoint failures never count (Flink: a manual
 * action that a failover would not help). With `tolerable` = FLINK_UNLIMITED
 * nothing is counted, as in Flink. When the job is failed the counter is cleared,
 * so the restarted job starts from zero. Counting each checkpoint id once is the
 * caller's part: call this once per aborted checkpoint.
 */
export function countFailure(
  count: number,
  reason: CheckpointAbortReason,
  tolerable: number,
  kind: CheckpointKind = 'CHECKPOINT',
): FailureCount {
  if (kind === 'SAVEPOINT' || tolerable >= FLINK_UNLIMITED || !COUNTS_TOWARD_TOLERABLE[reason]) {
    return { count };
  }
  const next = count + 1;
  if (next <= tolerable) return { count: next };
  return {
    count: 0,
    failJob: `${EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE_MESSAGE} ${next} consecutive checkpoints failed (last: ${reason}), more than tolerableFailedCheckpoints = ${tolerable}. Raise tolerableFailedCheckpoints, or a longer timeoutMs if checkpoints expire.`,
  };
}

/** A completed checkpoint or savepoint resets the counter (Flink: handleCheckpointSuccess). */
export function onCompletionReset(): number {
  return 0;
}
