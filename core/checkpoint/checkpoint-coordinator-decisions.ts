import type {
  CheckpointAbort,
  CompletedCheckpointView,
  CoordinatorConfig,
  CoordinatorDecision,
  CoordinatorView,
  PendingCheckpointView,
} from './checkpoint-coordinator-view.js';
import { countFailure, onCompletionReset } from './checkpoint-failure-manager.js';
import {
  effectiveMaxConcurrentCheckpoints,
  nextTriggerDueMs,
  pendingForConcurrency,
  shouldTrigger,
} from './checkpoint-trigger-rules.js';

export type * from './checkpoint-coordinator-view.js';
export { countFailure, onCompletionReset } from './checkpoint-failure-manager.js';
export {
  effectiveIntervalMs,
  effectiveMaxConcurrentCheckpoints,
  nextTriggerDueMs,
  shouldTrigger,
} from './checkpoint-trigger-rules.js';

/**
 * Flink's CheckpointCoordinator as a pure function: given the config and what is
 * pending and completed at `nowMs`, which checkpoints to abort, whether to trigger,
 * which completed checkpoints to discard, and when to look again. The caller
 * performs the writes (conditional, so a stale decision changes nothing).
 */

/** Pending checkpoints (savepoints too) whose timeout has passed: Flink's CheckpointCanceller. */
export function expiredCheckpoints(
  pending: readonly PendingCheckpointView[],
  nowMs: number,
  timeoutMs: number,
): PendingCheckpointView[] {
  return pending.filter((p) => p.triggerTimeMs + timeoutMs <= nowMs);
}

/**
 * When checkpoint `completedId` completes, pending periodic checkpoints with a
 * smaller id are subsumed (Flink: dropSubsumedCheckpoints). Savepoints cannot be.
 */
export function pendingSubsumedBy(
  completedId: number,
  pending: readonly PendingCheckpointView[],
): PendingCheckpointView[] {
  return pending.filter((p) => p.kind === 'CHECKPOINT' && p.checkpointId < completedId);
}

/**
 * Completed checkpoints to discard: all but the newest `numRetainedCheckpoints`
 * CHECKPOINTs by id (state.checkpoints.num-retained). Savepoints are never
 * subsumed and do not count. At least one is always kept, as Flink does, so
 * there is always something to recover from. Ascending ids.
 */
export function checkpointsToSubsume(
  completed: readonly CompletedCheckpointView[],
  numRetainedCheckpoints: number,
): number[] {
  const newestFirst = completed
    .filter((c) => c.kind === 'CHECKPOINT')
    .map((c) => c.checkpointId)
    .sort((a, b) => b - a);
  return newestFirst.slice(Math.max(1, numRetainedCheckpoints)).sort((a, b) => a - b);
}

/**
 * Earliest time something can change without an outside event: a pending
 * checkpoint's timeout, or the next periodic trigger when there is room for one.
 * Infinity when nothing is scheduled. At capacity, only a completion (an outside
 * event) or a timeout frees room, so the trigger time is not a reason to wake.
 */
export function nextWakeTime(config: CoordinatorConfig, view: CoordinatorView): number {
  const times = view.pending.map((p) => p.triggerTimeMs + config.timeoutMs);
  const hasRoom = pendingForConcurrency(view.pending) < effectiveMaxConcurrentCheckpoints(config);
  const due = nextTriggerDueMs(config, view);
  if (view.jobStatus === 'RUNNING' && hasRoom && due !== undefined) times.push(due);
  return times.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...times);
}

function latestCompletedCheckpointId(completed: readonly CompletedCheckpointView[]): number | undefined {
  const ids = completed.filter((c) => c.kind === 'CHECKPOINT').map((c) => c.checkpointId);
  return ids.length === 0 ? undefined : Math.max(...ids);
}

export function decideCheckpointActions(
  config: CoordinatorConfig,
  view: CoordinatorView,
): CoordinatorDecision {
  const why: string[] = [];
  const abort: CheckpointAbort[] = [];

  // A completion normally subsumes older pending checkpoints at once; this catches
  // any left over when that step was interrupted, so the decision heals it.
  const latestId = latestCompletedCheckpointId(view.completed);
  const subsumed = latestId === undefined ? [] : pendingSubsumedBy(latestId, view.pending);
  for (const p of subsumed) {
    abort.push({ checkpointId: p.checkpointId, reason: 'CHECKPOINT_SUBSUMED' });
    why.push(`checkpoint ${p.checkpointId} subsumed by completed checkpoint ${latestId}`);
  }
  const notSubsumed = view.pending.filter((p) => !subsumed.includes(p));

  const expired = expiredCheckpoints(notSubsumed, view.nowMs, config.timeoutMs);
  let continuousFailureCount = view.continuousFailureCount;
  let failJob: { reason: string } | undefined;
  for (const p of expired) {
    abort.push({ checkpointId: p.checkpointId, reason: 'CHECKPOINT_EXPIRED' });
    why.push(
      `${p.kind === 'SAVEPOINT' ? 'savepoint' : 'checkpoint'} ${p.checkpointId} expired: triggered at ${p.triggerTimeMs} ms, timeoutMs ${config.timeoutMs}`,
    );
    // Once the job stops, Flink aborts checkpoints as a job failure, which is not counted.
    if (view.jobStatus !== 'RUNNING' || failJob !== undefined) continue;
    const counted = countFailure(
      continuousFailureCount,
      'CHECKPOINT_EXPIRED',
      config.tolerableFailedCheckpoints,
      p.kind,
    );
    continuousFailureCount = counted.count;
    if (counted.failJob !== undefined) failJob = { reason: counted.failJob };
  }
  if (failJob !== undefined) why.push(`failing the job: ${failJob.reason}`);

  const remaining = notSubsumed.filter((p) => !expired.includes(p));
  const afterAborts: CoordinatorView = {
    ...view,
    jobStatus: failJob === undefined ? view.jobStatus : 'FAILED',
    pending: remaining,
    continuousFailureCount,
  };
  const verdict = shouldTrigger(config, afterAborts);
  why.push(verdict.why);

  const subsume = checkpointsToSubsume(view.completed, config.numRetainedCheckpoints);
  if (subsume.length > 0) {
    why.push(
      `discarding checkpoints ${subsume.join(', ')}: numRetainedCheckpoints ${config.numRetainedCheckpoints}`,
    );
  }

  const applied: CoordinatorView = verdict.trigger
    ? {
        ...afterAborts,
        // The new checkpoint's id is not known yet; only its trigger time matters here.
        pending: [...remaining, { checkpointId: -1, kind: 'CHECKPOINT', triggerTimeMs: view.nowMs }],
        lastTriggerTimeMs: view.nowMs,
      }
    : afterAborts;

  return {
    abort,
    trigger: verdict.trigger,
    subsume,
    ...(failJob === undefined ? {} : { failJob }),
    continuousFailureCount,
    nextWakeMs: nextWakeTime(config, applied),
    why,
  };
}

export interface CompletionOutcome {
  /** The view with the completion applied: to decide on next. */
  view: CoordinatorView;
  /** Pending checkpoints subsumed by this completion. */
  abort: CheckpointAbort[];
  why: string[];
}

/**
 * Checkpoint or savepoint `completed` has just completed. Any completion resets
 * the failure counter and starts the min pause (Flink: handleCheckpointSuccess,
 * lastCheckpointCompletionRelativeTime); only a checkpoint subsumes older pending ones.
 */
export function onCheckpointCompleted(
  view: CoordinatorView,
  completed: CompletedCheckpointView,
): CompletionOutcome {
  const stillPending = view.pending.filter((p) => p.checkpointId !== completed.checkpointId);
  const subsumed =
    completed.kind === 'CHECKPOINT' ? pendingSubsumedBy(completed.checkpointId, stillPending) : [];
  const name = completed.kind === 'SAVEPOINT' ? 'savepoint' : 'checkpoint';
  return {
    view: {
      ...view,
      pending: stillPending.filter((p) => !subsumed.includes(p)),
      completed: [...view.completed.filter((c) => c.checkpointId !== completed.checkpointId), completed],
      lastCompletionTimeMs: Math.max(
        view.lastCompletionTimeMs ?? completed.completedAtMs,
        completed.completedAtMs,
      ),
      continuousFailureCount: onCompletionReset(),
    },
    abort: subsumed.map((p) => ({ checkpointId: p.checkpointId, reason: 'CHECKPOINT_SUBSUMED' })),
    why: [
      `${name} ${completed.checkpointId} completed at ${completed.completedAtMs} ms`,
      ...subsumed.map(
        (p) => `checkpoint ${p.checkpointId} subsumed by completed checkpoint ${completed.checkpointId}`,
      ),
    ],
  };
}
