import type { CheckpointRecord, CheckpointStore, JobMeta } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import type { StreamWriter } from '../ports/stream.js';
import {
  abortCheckpoint,
  discardCheckpoint,
  pruneAbortedHistory,
  sweepOrphans,
} from './checkpoint-cleanup.js';
import { tryCompleteCheckpoint } from './checkpoint-completion.js';
import {
  type CoordinatorConfig,
  type CoordinatorView,
  countFailure,
  decideCheckpointActions,
  onCompletionReset,
} from './checkpoint-coordinator-decisions.js';
import { triggerCheckpoint } from './checkpoint-trigger.js';
import type { CoordinatorCarryState, CoordinatorExecutionState } from './coordinator-execution.js';
import { ensureJob, failJob } from './job.js';

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
}

export const DEFAULT_COORDINATOR_SETTINGS = {
  windowMs: 10 * 60_000,
  ackPollMs: 250,
  handBackAfterIdleMs: 20_000,
  abortedHistorySize: 10,
  sweepIntervalMs: 60_000,
} as const;

/** Longest Step Functions Wait we ask for: the job status is looked at least this often. */
const MAX_SLEEP_SECONDS = 3_600;

export interface WindowStatistics {
  triggered: number;
  completed: number;
  aborted: number;
  subsumed: number;
}

/**
 * One RunWindow task: Flink's CheckpointCoordinator loop for up to `windowMs`
 * (and never past `deadlineMs`, the Lambda's own deadline minus a buffer):
 * observe the stored checkpoints, complete what can be completed, decide with the
 * pure rules (triggers, timeouts, subsumption, tolerable failures), act, sleep
 * until the next thing can happen. Short intervals run many epochs per window, so
 * state transitions per hour do not grow with the interval; long idle gaps are
 * handed back to the state machine as a Wait, so no Lambda is billed while idle.
 */
export async function runCoordinatorWindow(
  deps: CoordinatorDependencies,
  settings: CoordinatorSettings,
  input: CoordinatorExecutionState,
  deadlineMs: number,
  stats: WindowStatistics = { triggered: 0, completed: 0, aborted: 0, subsumed: 0 },
): Promise<CoordinatorExecutionState> {
  const { store, clock } = deps;
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
    const job = await ensureJob(store, jobId, clock);
    if (job.status !== 'RUNNING') {
      // The state machine ends here: leave no orphan behind.
      await sweepOrphans(deps, jobId, settings.jobStoragePrefix);
      return next({
        status: job.status === 'FAILED' ? 'FAILED' : 'STOPPED',
        reason: job.statusReason ?? `job is ${job.status}`,
      });
    }
    if (clock.nowMs() - (carry.lastSweepMs ?? 0) >= settings.sweepIntervalMs) {
      const swept = await sweepOrphans(deps, jobId, settings.jobStoragePrefix);
      if (swept > 0) deps.log?.('orphans-deleted', { jobId, objects: swept });
      carry.lastSweepMs = clock.nowMs();
    }
    const records = await store.listCheckpoints(jobId);
    const { declinedFailure, completedNow } = await completePending(deps, settings, records, carry, stats);
    const pointer = await repairLatestPointer(store, job, records, completedNow);

    const nowMs = clock.nowMs();
    const view = coordinatorView(nowMs, records, carry);
    const decision = decideCheckpointActions(settings.config, view);
    carry.continuousFailureCount = decision.continuousFailureCount;
    for (const abort of decision.abort) {
      if (await abortCheckpoint(deps, jobId, abort.checkpointId, abort.reason)) stats.aborted++;
    }
    // Never delete the checkpoint processors recover from, whatever the retention count says.
    for (const checkpointId of decision.subsume.filter((id) => id !== pointer)) {
      await discardCheckpoint(deps, jobId, checkpointId);
      stats.subsumed++;
    }
    for (const leftover of records.filter((r) => r.status === 'DISCARDED')) {
      await discardCheckpoint(deps, jobId, leftover.checkpointId, 'DISCARDED');
    }
    await pruneAbortedHistory(deps, jobId, records, settings.abortedHistorySize);
    const failReason = declinedFailure ?? decision.failJob?.reason;
    if (failReason !== undefined) {
      const final = await failJob(store, jobId, failReason, clock);
      await sweepOrphans(deps, jobId, settings.jobStoragePrefix);
      deps.log?.('job-failed', { jobId, reason: failReason });
      if (final.status !== 'FAILED')
        return next({ status: 'STOPPED', reason: final.statusReason ?? final.status });
      return next({ status: 'FAILED', reason: failReason });
    }
    if (decision.trigger) {
      const triggered = await triggerCheckpoint(deps, {
        jobId,
        kind: 'CHECKPOINT',
        storagePrefixFor: settings.storagePrefixFor,
      });
      carry.lastTriggerTimeMs = triggered.triggerTimeMs;
      stats.triggered++;
      deps.log?.('checkpoint-triggered', { jobId, checkpointId: triggered.checkpointId });
    }

    const stillPending = decision.trigger || view.pending.length > decision.abort.length;
    const wakeMs = stillPending
      ? Math.min(decision.nextWakeMs, nowMs + settings.ackPollMs)
      : decision.nextWakeMs;
    if (!stillPending && wakeMs - nowMs > settings.handBackAfterIdleMs) {
      const seconds = Number.isFinite(wakeMs) ? Math.floor((wakeMs - nowMs) / 1_000) : MAX_SLEEP_SECONDS;
      return next({ sleepSeconds: Math.min(seconds, MAX_SLEEP_SECONDS) });
    }
    if (wakeMs >= endMs) return next({});
    await deps.sleep(Math.max(0, wakeMs - clock.nowMs()));
  }
  return next({});
}

/**
 * Completes every PENDING checkpoint whose acks are all in, oldest first.
 * Returns the ids completed, and a reason to fail the job when declined
 * checkpoints exceed the tolerance.
 */
async function completePending(
  deps: CoordinatorDependencies,
  settings: CoordinatorSettings,
  records: CheckpointRecord[],
  carry: CoordinatorCarryState,
  stats: WindowStatistics,
): Promise<{ declinedFailure: string | undefined; completedNow: Set<number> }> {
  let failJob: string | undefined;
  const completedNow = new Set<number>();
  const pending = records
    .filter((r) => r.status === 'PENDING')
    .sort((a, b) => a.checkpointId - b.checkpointId);
  for (const record of pending) {
    const result = await tryCompleteCheckpoint(deps, settings.jobId, record.checkpointId);
    if (result.status === 'COMPLETED') {
      Object.assign(record, result.checkpoint);
      carry.lastCompletionTimeMs = result.checkpoint.completedAtMs ?? deps.clock.nowMs();
      carry.continuousFailureCount = onCompletionReset();
      completedNow.add(record.checkpointId);
      stats.completed++;
      deps.log?.('checkpoint-completed', {
        jobId: settings.jobId,
        checkpointId: record.checkpointId,
        ...result.checkpoint.stats,
      });
    } else if (result.status === 'ABORTED') {
      record.status = 'ABORTED';
      stats.aborted++;
      const counted = countFailure(
        carry.continuousFailureCount,
        'CHECKPOINT_DECLINED',
        settings.config.tolerableFailedCheckpoints,
        record.kind,
      );
      carry.continuousFailureCount = counted.count;
      failJob ??= counted.failJob;
    }
  }
  return { declinedFailure: failJob, completedNow };
}

/** The pure decision's input, from the stored records and what the execution carries. */
export function coordinatorView(
  nowMs: number,
  records: CheckpointRecord[],
  carry: CoordinatorCarryState,
): CoordinatorView {
  return {
    nowMs,
    jobStatus: 'RUNNING',
    pending: records
      .filter((r) => r.status === 'PENDING')
      .map((r) => ({ checkpointId: r.checkpointId, kind: r.kind, triggerTimeMs: r.triggerTimeMs })),
    ...(carry.lastTriggerTimeMs === undefined ? {} : { lastTriggerTimeMs: carry.lastTriggerTimeMs }),
    ...(carry.lastCompletionTimeMs === undefined ? {} : { lastCompletionTimeMs: carry.lastCompletionTimeMs }),
    continuousFailureCount: carry.continuousFailureCount,
    completed: records
      .filter((r) => r.status === 'COMPLETED')
      .map((r) => ({ checkpointId: r.checkpointId, kind: r.kind, completedAtMs: r.completedAtMs ?? 0 })),
  };
}

/**
 * The latest pointer must name the newest checkpoint completed in the job's
 * generation: a completion interrupted between its two writes is finished here.
 */
async function repairLatestPointer(
  store: CheckpointStore,
  job: JobMeta,
  records: CheckpointRecord[],
  completedNow: ReadonlySet<number>,
): Promise<number | undefined> {
  const newest = records
    .filter((r) => r.status === 'COMPLETED' && r.generation === job.generation)
    .reduce<CheckpointRecord | undefined>(
      (a, r) => (a === undefined || r.checkpointId > a.checkpointId ? r : a),
      undefined,
    );
  if (!newest || (job.latestCheckpointId ?? -1) >= newest.checkpointId) return job.latestCheckpointId;
  // The job was read before this iteration's completions, which moved the pointer themselves.
  if (completedNow.has(newest.checkpointId)) return newest.checkpointId;
  await store.advanceLatestCheckpoint(job.jobId, newest.checkpointId);
  return newest.checkpointId;
}
