import type { CheckpointStore } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import type { StreamWriter } from '../ports/stream.js';
import { sweepOrphans } from './checkpoint-cleanup.js';
import {
  type CoordinatorConfig,
  type CoordinatorView,
  nextTriggerDueMs,
} from './checkpoint-coordinator-decisions.js';
import type { CoordinatorCarryState, CoordinatorExecutionState } from './coordinator-execution.js';
import type { DerivedCoordinatorState } from './coordinator-state.js';
import { type CoordinatorStepResult, runCoordinatorStep, type StepStatistics } from './coordinator-step.js';

export { coordinatorView } from './coordinator-step.js';
export interface CoordinatorDependencies {
  store: CheckpointStore;
  snapshots: SnapshotStore;
  writer: StreamWriter;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export interface CoordinatorSettings {
  jobId: string;
  config: CoordinatorConfig;
  /** Key prefix for a checkpoint's files, given its id. */
  storagePrefixFor: (checkpointId: number) => string;
  /** The job's checkpoint root (every checkpoint prefix is below it), for the orphan sweep. */
  jobStoragePrefix: string;
  /** How often the orphan sweep lists the job's checkpoint root. */
  sweepIntervalMs: number;
  /** Longest a window runs before handing back to the state machine. */
  windowMs: number;
  /** How often acks are looked for while a checkpoint is pending. */
  ackPollMs: number;
  /** With nothing pending and the next action further than this, wait in Step Functions (no Lambda billed). */
  handBackAfterIdleMs: number;
  /** ABORTED records kept as the failure history for `status`. */
  abortedHistorySize: number;
  /** While the processors drive, the longest the supervisor waits between looks (checkpointing.supervisorIntervalMs). */
  supervisorIntervalMs: number;
  /** How long past a due trigger the supervisor leaves the turn to the leading processor. */
  processorGraceMs: number;
}

export const DEFAULT_COORDINATOR_SETTINGS = {
  windowMs: 10 * 60_000,
  ackPollMs: 250,
  handBackAfterIdleMs: 20_000,
  abortedHistorySize: 10,
  sweepIntervalMs: 60_000,
  supervisorIntervalMs: 300_000,
  processorGraceMs: 2_000,
} as const;

/** Longest Step Functions Wait we ask for: the job status is looked at least this often. */
const MAX_SLEEP_SECONDS = 3_600;

export type WindowStatistics = StepStatistics;

/**
 * One RunWindow task: the supervisor. Each iteration is one coordinator step
 * (core/checkpoint/coordinator-step.ts), the same one processors run after their
 * batches, plus the orphan sweep, which only the supervisor does.
 *
 * When the processors drive (the last trigger is theirs and recent, or one of
 * theirs is pending) it neither triggers nor polls: it hands back to the state
 * machine for min(supervisorIntervalMs, the earliest pending timeout), so no
 * Lambda stays resident and transitions do not grow with the interval. Otherwise
 * (an idle stream, the first checkpoint) it runs Flink's loop for up to `windowMs`
 * (never past `deadlineMs`, the Lambda's deadline minus a buffer): it triggers,
 * leaving the processors `processorGraceMs` past the due time once there is a
 * checkpoint whose barriers name a leader, polls while checkpoints are pending,
 * and hands long idle gaps back as a Wait.
 */
export async function runCoordinatorWindow(
  deps: CoordinatorDependencies,
  settings: CoordinatorSettings,
  input: CoordinatorExecutionState,
  deadlineMs: number,
  stats: WindowStatistics = { triggered: 0, completed: 0, aborted: 0, subsumed: 0 },
): Promise<CoordinatorExecutionState> {
  const { clock } = deps;
  const { jobId } = settings;
  const carry: CoordinatorCarryState = { ...input.carry };
  const endMs = Math.min(clock.nowMs() + settings.windowMs, deadlineMs);
  const next = (fields: Partial<CoordinatorExecutionState>): CoordinatorExecutionState => ({
    ...input,
    carry,
    windowsInExecution: input.windowsInExecution + 1,
    consecutiveTaskErrors: 0,
    status: 'CONTINUE',
    sleepSeconds: 0,
    ...fields,
  });

  for (let iteration = 0; iteration < 1_000_000; iteration++) {
    if (clock.nowMs() - (carry.lastSweepMs ?? 0) >= settings.sweepIntervalMs) {
      const swept = await sweepOrphans(deps, jobId, settings.jobStoragePrefix);
      if (swept > 0) deps.log?.('orphans-deleted', { jobId, objects: swept });
      carry.lastSweepMs = clock.nowMs();
    }
    const step = await runCoordinatorStep(
      deps,
      settings,
      { triggerNotBeforeMs: (state, view) => supervisorTriggerNotBefore(settings, state, view) },
      stats,
    );
    if (step.outcome !== 'RUNNING') {
      // The state machine ends here: leave no orphan behind.
      await sweepOrphans(deps, jobId, settings.jobStoragePrefix);
      return next({ status: step.outcome, reason: step.reason });
    }
    carry.continuousFailureCount = step.decision.continuousFailureCount;
    const lastTrigger = step.triggered?.triggerTimeMs ?? step.state.lastTriggerTimeMs;
    if (lastTrigger !== undefined) carry.lastTriggerTimeMs = lastTrigger;
    if (step.state.lastCompletionTimeMs !== undefined)
      carry.lastCompletionTimeMs = step.state.lastCompletionTimeMs;
    if (step.triggered) carry.supervisorTriggerTimeMs = step.triggered.triggerTimeMs;

    const nowMs = clock.nowMs();
    if (processorsDrive(settings, carry, step, nowMs)) {
      const timeoutsMs = step.view.pending
        .filter((p) => !step.decision.abort.some((a) => a.checkpointId === p.checkpointId))
        .map((p) => p.triggerTimeMs + settings.config.timeoutMs - nowMs);
      const waitMs = Math.min(settings.supervisorIntervalMs, ...timeoutsMs);
      return next({ sleepSeconds: Math.min(Math.max(1, Math.ceil(waitMs / 1_000)), MAX_SLEEP_SECONDS) });
    }
    const wakeMs = step.stillPending
      ? Math.min(step.nextWakeMs, nowMs + settings.ackPollMs)
      : step.nextWakeMs;
    if (!step.stillPending && wakeMs - nowMs > settings.handBackAfterIdleMs) {
      const seconds = Number.isFinite(wakeMs) ? Math.floor((wakeMs - nowMs) / 1_000) : MAX_SLEEP_SECONDS;
      return next({ sleepSeconds: Math.min(seconds, MAX_SLEEP_SECONDS) });
    }
    if (wakeMs >= endMs) return next({});
    await deps.sleep(Math.max(0, wakeMs - clock.nowMs()));
  }
  return next({});
}

/**
 * The supervisor triggers the first checkpoint at once; later ones only
 * `processorGraceMs` after they are due, so the leading processor, which acts
 * after its next batch, gets the turn (an idle stream's checkpoints are that late).
 */
function supervisorTriggerNotBefore(
  settings: CoordinatorSettings,
  state: DerivedCoordinatorState,
  view: CoordinatorView,
): number {
  if (state.lastTriggerTimeMs === undefined) return Number.NEGATIVE_INFINITY;
  const dueMs = nextTriggerDueMs(settings.config, view) ?? Number.POSITIVE_INFINITY;
  return dueMs + settings.processorGraceMs;
}

/**
 * The processors drive when the newest trigger is not the supervisor's own and
 * either one of their checkpoints is pending or their next trigger is not yet
 * more than the grace overdue.
 */
function processorsDrive(
  settings: CoordinatorSettings,
  carry: CoordinatorCarryState,
  step: Extract<CoordinatorStepResult, { outcome: 'RUNNING' }>,
  nowMs: number,
): boolean {
  const last = step.state.lastTriggerTimeMs;
  if (step.triggered || last === undefined || last === carry.supervisorTriggerTimeMs) return false;
  if (step.stillPending) return true;
  const dueMs = nextTriggerDueMs(settings.config, step.view);
  return dueMs !== undefined && nowMs < dueMs + settings.processorGraceMs;
}
