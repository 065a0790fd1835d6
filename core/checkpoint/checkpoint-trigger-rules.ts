import type {
  CoordinatorConfig,
  CoordinatorView,
  PendingCheckpointView,
} from './checkpoint-coordinator-view.js';

/**
 * When may the CheckpointCoordinator trigger the next periodic checkpoint? Flink's
 * CheckpointRequestDecider rules, as pure functions of the config and a view.
 */

/**
 * Flink never schedules periodic checkpoints more often than the min pause
 * (CheckpointCoordinator: baseInterval = max(interval, minPause)), so the effective
 * interval is never below it. Undefined: checkpointing is disabled.
 */
export function effectiveIntervalMs(
  config: Pick<CoordinatorConfig, 'intervalMs' | 'minPauseMs'>,
): number | undefined {
  return config.intervalMs === undefined ? undefined : Math.max(config.intervalMs, config.minPauseMs);
}

/** A min pause implies at most one checkpoint in progress (config rejects the combination too). */
export function effectiveMaxConcurrentCheckpoints(
  config: Pick<CoordinatorConfig, 'minPauseMs' | 'maxConcurrentCheckpoints'>,
): number {
  return config.minPauseMs > 0 ? 1 : Math.max(1, config.maxConcurrentCheckpoints);
}

/**
 * Pending checkpoints that count against maxConcurrentCheckpoints. As in Flink
 * (pendingCheckpoints.size()), a pending savepoint counts too: it holds back
 * periodic checkpoints, while a savepoint itself is forced past the limit.
 */
export function pendingForConcurrency(pending: readonly PendingCheckpointView[]): number {
  return pending.length;
}

/**
 * Earliest time the interval and the min pause allow the next periodic checkpoint,
 * ignoring concurrency; undefined when checkpointing is disabled. Without a previous
 * trigger the interval does not constrain; without a completion the min pause does
 * not (Flink measures it from the last completion only).
 */
export function nextTriggerDueMs(
  config: Pick<CoordinatorConfig, 'intervalMs' | 'minPauseMs'>,
  view: Pick<CoordinatorView, 'lastTriggerTimeMs' | 'lastCompletionTimeMs'>,
): number | undefined {
  const intervalMs = effectiveIntervalMs(config);
  if (intervalMs === undefined) return undefined;
  const byInterval =
    view.lastTriggerTimeMs === undefined ? Number.NEGATIVE_INFINITY : view.lastTriggerTimeMs + intervalMs;
  const byMinPause =
    config.minPauseMs > 0 && view.lastCompletionTimeMs !== undefined
      ? view.lastCompletionTimeMs + config.minPauseMs
      : Number.NEGATIVE_INFINITY;
  return Math.max(byInterval, byMinPause);
}

export interface TriggerVerdict {
  trigger: boolean;
  why: string;
}

/**
 * Whether to trigger a periodic checkpoint now. `view.pending` must already be
 * without the checkpoints this round aborts.
 */
export function shouldTrigger(
  config: Pick<CoordinatorConfig, 'intervalMs' | 'minPauseMs' | 'maxConcurrentCheckpoints'>,
  view: Pick<
    CoordinatorView,
    'nowMs' | 'jobStatus' | 'pending' | 'lastTriggerTimeMs' | 'lastCompletionTimeMs'
  >,
): TriggerVerdict {
  if (config.intervalMs === undefined) {
    return { trigger: false, why: 'checkpointing is disabled (no intervalMs)' };
  }
  if (view.jobStatus !== 'RUNNING') {
    return { trigger: false, why: `no checkpoint is triggered while the job is ${view.jobStatus}` };
  }
  const pending = pendingForConcurrency(view.pending);
  const maxConcurrent = effectiveMaxConcurrentCheckpoints(config);
  if (pending >= maxConcurrent) {
    return {
      trigger: false,
      why:
        config.minPauseMs > 0
          ? `minPauseMs ${config.minPauseMs} allows one checkpoint in progress; ${pending} pending`
          : `${pending} checkpoints pending, maxConcurrentCheckpoints ${maxConcurrent}`,
    };
  }
  const intervalMs = effectiveIntervalMs(config) as number;
  if (view.lastTriggerTimeMs !== undefined && view.nowMs < view.lastTriggerTimeMs + intervalMs) {
    return {
      trigger: false,
      why: `next periodic checkpoint due at ${view.lastTriggerTimeMs + intervalMs} ms (last trigger ${view.lastTriggerTimeMs} ms + interval ${intervalMs} ms)`,
    };
  }
  if (
    config.minPauseMs > 0 &&
    view.lastCompletionTimeMs !== undefined &&
    view.nowMs < view.lastCompletionTimeMs + config.minPauseMs
  ) {
    return {
      trigger: false,
      why: `min pause: not before ${view.lastCompletionTimeMs + config.minPauseMs} ms (last completion ${view.lastCompletionTimeMs} ms + minPauseMs ${config.minPauseMs})`,
    };
  }
  return {
    trigger: true,
    why: `triggering a periodic checkpoint: interval elapsed, ${pending} of ${maxConcurrent} allowed pending`,
  };
}
