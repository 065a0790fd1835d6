import { ConditionFailedError } from '../errors/index.js';
import type { CheckpointRecord, CheckpointStore, JobMeta } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import type { StreamWriter } from '../ports/stream.js';
import { abortCheckpoint, discardCheckpoint, pruneAbortedHistory } from './checkpoint-cleanup.js';
import { tryCompleteCheckpoint } from './checkpoint-completion.js';
import {
  type CoordinatorConfig,
  type CoordinatorDecision,
  type CoordinatorView,
  countFailure,
  decideCheckpointActions,
  onCompletionReset,
} from './checkpoint-coordinator-decisions.js';
import { tryTriggerCheckpoint } from './checkpoint-trigger.js';
import {
  abortedRecordsToKeep,
  type DerivedCoordinatorState,
  deriveCoordinatorState,
  LOST_TRIGGER_REASON,
} from './coordinator-state.js';
import { ensureJob, failJob } from './job.js';

export interface CoordinatorStepDependencies {
  store: CheckpointStore;
  snapshots: SnapshotStore;
  writer: StreamWriter;
  clock: Clock;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export interface CoordinatorStepSettings {
  jobId: string;
  config: CoordinatorConfig;
  /** Key prefix for a checkpoint's files, given its id. */
  storagePrefixFor: (checkpointId: number) => string;
  /** ABORTED records kept as the failure history for `status`. */
  abortedHistorySize: number;
}

export interface CoordinatorStepOptions {
  /**
   * Earliest time this actor may trigger, given the derived state and the view:
   * the supervisor leaves the processors a grace after a trigger is due. Default: no limit.
   */
  triggerNotBeforeMs?: (state: DerivedCoordinatorState, view: CoordinatorView) => number;
  /** Record ids allocated but never written as lost triggers (the supervisor's repair). */
  recordLostTriggers?: boolean;
  /** A processor stepping because it acked: it completes only as the last acker (see CompletionOptions). */
  asAckerOf?: string;
}

export interface StepStatistics {
  triggered: number;
  completed: number;
  aborted: number;
  subsumed: number;
}

export type CoordinatorStepResult =
  | { outcome: 'STOPPED' | 'FAILED'; reason: string; job: JobMeta }
  | {
      outcome: 'RUNNING';
      job: JobMeta;
      /** The derived state before the decision (this step's completions applied). */
      state: DerivedCoordinatorState;
      view: CoordinatorView;
      decision: CoordinatorDecision;
      /** The checkpoint this step triggered. */
      triggered?: CheckpointRecord;
      /** Checkpoints still pending after this step, its own trigger (or the one that beat it) included. */
      stillPending: boolean;
      /** When something can next change without an outside event. */
      nextWakeMs: number;
      /** The newest checkpoint's expected shards: the first one's processor leads the triggers. */
      expectedShards?: string[];
      /** Some checkpoint had all its acks but was left to its last acker (asAckerOf). */
      leftToLastAcker: boolean;
    };

/**
 * One step of Flink's CheckpointCoordinator, run by whoever holds the turn (a
 * processor after its batch, or the supervising RunWindow): complete what is
 * complete, repair the latest pointer, decide with the pure rules, abort what
 * expired or was subsumed, discard what falls out of retention, fail the job
 * over the tolerance, trigger the next checkpoint. Every write is conditional,
 * so actors stepping at once never break a rule; the state they decide on is
 * derived from the records (core/checkpoint/coordinator-state.ts).
 */
export async function runCoordinatorStep(
  deps: CoordinatorStepDependencies,
  settings: CoordinatorStepSettings,
  options: CoordinatorStepOptions = {},
  stats: StepStatistics = { triggered: 0, completed: 0, aborted: 0, subsumed: 0 },
): Promise<CoordinatorStepResult> {
  const { store, clock } = deps;
  const { jobId, config } = settings;
  const job = await ensureJob(store, jobId, clock);
  if (job.status !== 'RUNNING') {
    return { outcome: job.status === 'FAILED' ? 'FAILED' : 'STOPPED', reason: stoppedReason(job), job };
  }
  let records = await store.listCheckpoints(jobId);
  if (options.recordLostTriggers) await recordLostTrigger(deps, settings, job, records);
  const tolerable = config.tolerableFailedCheckpoints;
  const before = deriveCoordinatorState(records, job.generation, tolerable);
  const { declinedFailure, completedNow, vanished, leftToLastAcker } = await completePending(
    deps,
    settings,
    records,
    before.continuousFailureCount,
    stats,
    options.asAckerOf,
  );
  if (vanished.size > 0) records = records.filter((r) => !vanished.has(r.checkpointId));
  const pointer = await repairLatestPointer(store, job, records, completedNow);

  const nowMs = clock.nowMs();
  const state = deriveCoordinatorState(records, job.generation, tolerable);
  const view = coordinatorView(nowMs, records, state);
  const decision = decideCheckpointActions(config, view);
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
  const keep = abortedRecordsToKeep(settings.abortedHistorySize, tolerable);
  await pruneAbortedHistory(deps, jobId, records, keep);
  const failReason = declinedFailure ?? decision.failJob?.reason;
  if (failReason !== undefined) {
    const final = await failJob(store, jobId, failReason, clock);
    deps.log?.('job-failed', { jobId, reason: failReason });
    if (final.status !== 'FAILED') return { outcome: 'STOPPED', reason: stoppedReason(final), job: final };
    return { outcome: 'FAILED', reason: failReason, job: final };
  }

  const pendingAfterAborts = view.pending.filter(
    (p) => !decision.abort.some((a) => a.checkpointId === p.checkpointId),
  );
  let nextWakeMs = decision.nextWakeMs;
  let triggered: CheckpointRecord | undefined;
  const notBeforeMs = options.triggerNotBeforeMs?.(state, view) ?? Number.NEGATIVE_INFINITY;
  if (decision.trigger && nowMs >= notBeforeMs) {
    triggered = await tryTriggerCheckpoint(
      deps,
      { jobId, kind: 'CHECKPOINT', storagePrefixFor: settings.storagePrefixFor },
      job,
      state.highestCheckpointId,
    );
    if (triggered) {
      stats.triggered++;
      deps.log?.('checkpoint-triggered', { jobId, checkpointId: triggered.checkpointId });
    } else deps.log?.('trigger-refused', { jobId, expectedLastCheckpointId: state.highestCheckpointId });
  } else if (decision.trigger) {
    // Due, but not this actor's turn yet: look again when it is, or at a timeout.
    nextWakeMs = Math.min(notBeforeMs, ...pendingAfterAborts.map((p) => p.triggerTimeMs + config.timeoutMs));
  }
  const newest = triggered ?? newestRecord(records);
  return {
    outcome: 'RUNNING',
    job,
    state,
    view,
    decision,
    ...(triggered ? { triggered } : {}),
    stillPending: (decision.trigger && nowMs >= notBeforeMs) || pendingAfterAborts.length > 0,
    nextWakeMs,
    ...(newest ? { expectedShards: newest.expectedShards } : {}),
    leftToLastAcker,
  };
}

function stoppedReason(job: JobMeta): string {
  return job.statusReason ?? `job is ${job.status}`;
}

function newestRecord(records: CheckpointRecord[]): CheckpointRecord | undefined {
  return records
    .filter((r) => r.kind === 'CHECKPOINT' && r.expectedShards.length > 0)
    .reduce<CheckpointRecord | undefined>(
      (a, r) => (a === undefined || r.checkpointId > a.checkpointId ? r : a),
      undefined,
    );
}

/**
 * Completes every PENDING checkpoint whose acks are all in, oldest first.
 * Updates `records` in place; returns the ids completed, and a reason to fail the
 * job when declined checkpoints exceed the tolerance.
 */
async function completePending(
  deps: CoordinatorStepDependencies,
  settings: CoordinatorStepSettings,
  records: CheckpointRecord[],
  continuousFailureCount: number,
  stats: StepStatistics,
  asAckerOf: string | undefined,
): Promise<{
  declinedFailure: string | undefined;
  completedNow: Set<number>;
  vanished: Set<number>;
  leftToLastAcker: boolean;
}> {
  let failure: string | undefined;
  let leftToLastAcker = false;
  const vanished = new Set<number>();
  let count = continuousFailureCount;
  const completedNow = new Set<number>();
  const pending = records
    .filter((r) => r.status === 'PENDING')
    .sort((a, b) => a.checkpointId - b.checkpointId);
  for (const record of pending) {
    const result = await tryCompleteCheckpoint(
      deps,
      settings.jobId,
      record.checkpointId,
      asAckerOf === undefined ? {} : { asAckerOf },
    );
    if (result.status === 'COMPLETED') {
      Object.assign(record, result.checkpoint);
      count = onCompletionReset();
      completedNow.add(record.checkpointId);
      stats.completed++;
      deps.log?.('checkpoint-completed', {
        jobId: settings.jobId,
        checkpointId: record.checkpointId,
        ...result.checkpoint.stats,
      });
    } else if (result.status === 'ABORTED') {
      Object.assign(record, { status: 'ABORTED', abortReason: 'CHECKPOINT_DECLINED' });
      stats.aborted++;
      const counted = countFailure(
        count,
        'CHECKPOINT_DECLINED',
        settings.config.tolerableFailedCheckpoints,
        record.kind,
      );
      count = counted.count;
      failure ??= counted.failJob;
    } else if (result.status === 'PENDING' && result.leftToShard !== undefined) {
      leftToLastAcker = true;
    } else if (result.status === 'NOT_PENDING') {
      // Another actor completed, aborted or removed it since the listing: decide on what is stored.
      if (result.checkpoint) Object.assign(record, result.checkpoint);
      else vanished.add(record.checkpointId);
    }
  }
  return { declinedFailure: failure, completedNow, vanished, leftToLastAcker };
}

/** The pure decision's input, from the stored records and the state derived from them. */
export function coordinatorView(
  nowMs: number,
  records: CheckpointRecord[],
  state: DerivedCoordinatorState,
): CoordinatorView {
  return {
    nowMs,
    jobStatus: 'RUNNING',
    pending: records
      .filter((r) => r.status === 'PENDING')
      .map((r) => ({ checkpointId: r.checkpointId, kind: r.kind, triggerTimeMs: r.triggerTimeMs })),
    ...(state.lastTriggerTimeMs === undefined ? {} : { lastTriggerTimeMs: state.lastTriggerTimeMs }),
    ...(state.lastCompletionTimeMs === undefined ? {} : { lastCompletionTimeMs: state.lastCompletionTimeMs }),
    continuousFailureCount: state.continuousFailureCount,
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
  // The job was read before this step's completions, which moved the pointer themselves.
  if (completedNow.has(newest.checkpointId)) return newest.checkpointId;
  await store.advanceLatestCheckpoint(job.jobId, newest.checkpointId);
  return newest.checkpointId;
}

/**
 * An id allocated but never recorded (a trigger that crashed between its two
 * writes) would refuse every later conditional trigger. The supervisor records it
 * as an ABORTED lost trigger (not counted as a failure), so the highest stored id
 * meets the counter again. A trigger still between its writes loses its id: its
 * createCheckpoint is refused before any barrier is sent.
 */
async function recordLostTrigger(
  deps: CoordinatorStepDependencies,
  settings: CoordinatorStepSettings,
  job: JobMeta,
  records: CheckpointRecord[],
): Promise<void> {
  const highest = records.reduce((max, r) => Math.max(max, r.checkpointId), 0);
  if (job.lastCheckpointId <= highest) return;
  const record: CheckpointRecord = {
    checkpointId: job.lastCheckpointId,
    kind: 'CHECKPOINT',
    status: 'ABORTED',
    generation: job.generation,
    triggerTimeMs: deps.clock.nowMs(),
    expectedShards: [],
    storagePrefix: settings.storagePrefixFor(job.lastCheckpointId),
    failureReason: `checkpoint id ${job.lastCheckpointId} was allocated but never recorded (the trigger failed)`,
    abortReason: LOST_TRIGGER_REASON,
  };
  try {
    await deps.store.createCheckpoint(settings.jobId, record);
    records.push(record);
    deps.log?.('lost-trigger-recorded', { jobId: settings.jobId, checkpointId: record.checkpointId });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    // The trigger wrote its record after all: the next listing sees it.
    const found = await deps.store.getCheckpoint(settings.jobId, record.checkpointId);
    if (found) records.push(found);
  }
}
