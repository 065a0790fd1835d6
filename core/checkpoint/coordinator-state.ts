import { FLINK_UNLIMITED } from '../config/index.js';
import type { CheckpointRecord } from '../ports/checkpoint-store.js';
import { type CheckpointAbortReason, COUNTS_TOWARD_TOLERABLE } from './checkpoint-failure-manager.js';

/**
 * The coordinator's memory (Flink keeps it in the CheckpointCoordinator's fields),
 * derived from the stored checkpoint records instead, so that every actor (the
 * supervising state machine and any processor running a coordinator step) reads
 * the same state from the same items and none has to carry it.
 */
export interface DerivedCoordinatorState {
  /** Newest trigger time of a periodic checkpoint (savepoints do not move the schedule). */
  lastTriggerTimeMs?: number;
  /** Newest completion of a checkpoint or savepoint: the min pause is measured from it. */
  lastCompletionTimeMs?: number;
  /** Flink's CheckpointFailureManager counter, recounted from the records. */
  continuousFailureCount: number;
  /** Highest checkpoint id stored: a trigger allocates only if the counter still stands here. */
  highestCheckpointId: number;
}

function isAbortReason(reason: string | undefined): reason is CheckpointAbortReason {
  return reason !== undefined && Object.hasOwn(COUNTS_TOWARD_TOLERABLE, reason);
}

/** Whether an aborted record counts toward `tolerableFailedCheckpoints` (savepoints never do). */
export function countsTowardTolerable(record: CheckpointRecord): boolean {
  return (
    record.status === 'ABORTED' &&
    record.kind === 'CHECKPOINT' &&
    isAbortReason(record.abortReason) &&
    COUNTS_TOWARD_TOLERABLE[record.abortReason]
  );
}

/**
 * Derives the coordinator's state from the records of the job.
 * - last trigger: the newest triggerTimeMs of a periodic checkpoint;
 * - last completion: the newest completedAtMs of a COMPLETED record;
 * - continuous failures: ABORTED checkpoints of the current generation with a
 *   counting reason and an id above the newest COMPLETED one (any completion resets
 *   the counter, a restore starts a new generation and so a new count). With an
 *   unlimited tolerance nothing is counted, as in Flink.
 */
export function deriveCoordinatorState(
  records: readonly CheckpointRecord[],
  generation: number,
  tolerableFailedCheckpoints: number,
): DerivedCoordinatorState {
  let lastTriggerTimeMs: number | undefined;
  let lastCompletionTimeMs: number | undefined;
  let newestCompletedId = Number.NEGATIVE_INFINITY;
  let highestCheckpointId = 0;
  for (const r of records) {
    highestCheckpointId = Math.max(highestCheckpointId, r.checkpointId);
    if (r.kind === 'CHECKPOINT') {
      lastTriggerTimeMs = Math.max(lastTriggerTimeMs ?? r.triggerTimeMs, r.triggerTimeMs);
    }
    if (r.status === 'COMPLETED') {
      newestCompletedId = Math.max(newestCompletedId, r.checkpointId);
      if (r.completedAtMs !== undefined) {
        lastCompletionTimeMs = Math.max(lastCompletionTimeMs ?? r.completedAtMs, r.completedAtMs);
      }
    }
  }
  const continuousFailureCount =
    tolerableFailedCheckpoints >= FLINK_UNLIMITED
      ? 0
      : records.filter(
          (r) =>
            r.generation === generation && r.checkpointId > newestCompletedId && countsTowardTolerable(r),
        ).length;
  return {
    ...(lastTriggerTimeMs === undefined ? {} : { lastTriggerTimeMs }),
    ...(lastCompletionTimeMs === undefined ? {} : { lastCompletionTimeMs }),
    continuousFailureCount,
    highestCheckpointId,
  };
}

/**
 * ABORTED records kept by the history pruning: the status history, and never
 * fewer than the failure counter can need. While the job runs the counter is at
 * most `tolerable` (the failure past it fails the job in the step that aborts
 * it, and a step prunes from the listing taken before its own aborts, so that
 * newest failure is kept too): `tolerable` records always suffice to recount it.
 */
export function abortedRecordsToKeep(historySize: number, tolerableFailedCheckpoints: number): number {
  if (tolerableFailedCheckpoints >= FLINK_UNLIMITED) return historySize;
  return Math.max(historySize, tolerableFailedCheckpoints);
}

/** The Flink reason code of an abort, when the free-text reason is one. */
export function abortReasonCode(reason: string): CheckpointAbortReason | undefined {
  return isAbortReason(reason) ? reason : undefined;
}
