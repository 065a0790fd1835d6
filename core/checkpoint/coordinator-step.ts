import { ConditionFailedError, NotFoundError } from '../errors/index.js';
import type {
  CheckpointRecord,
  CheckpointStore,
  JobLedger,
  JobMeta,
  LedgerChange,
  ShardAck,
} from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import type { ShardDescription, StreamWriter } from '../ports/stream.js';
import { encodeBarrier } from '../processing/barrier.js';
import { nextFreeCheckpointId } from './ack-slots.js';
import { abortCheckpoint, deleteAckedFiles } from './checkpoint-cleanup.js';
import {
  type CoordinatorConfig,
  type CoordinatorDecision,
  type CoordinatorView,
  countFailure,
  decideCheckpointActions,
  onCompletionReset,
} from './checkpoint-coordinator-decisions.js';
import { barrierShards } from './checkpoint-trigger.js';
import {
  abortedRecordsToKeep,
  abortReasonCode,
  type DerivedCoordinatorState,
  deriveCoordinatorState,
} from './coordinator-state.js';
import { ensureJob, failJob } from './job.js';
import { decideLedgerCompletion } from './ledger-completion.js';
import { completePendingSavepoints } from './savepoint-step.js';

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
  /** A processor stepping because it acked: it completes only as the last acker (see CompletionOptions). */
  asAckerOf?: string;
  /** Acks the caller has just listed, by checkpoint id: not read again. */
  knownAcks?: ReadonlyMap<number, ShardAck[]>;
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
      /** Another actor wrote the ledger since this step read it: this step changed nothing. */
      conflict?: boolean;
    };

/**
 * One step of Flink's CheckpointCoordinator, run by whoever holds the turn (a
 * processor after its batch, or the supervising RunWindow). The coordinator's
 * state is one item (docs/adr/0001-coordinator-cost.md): the step reads the job
 * and its ledger of periodic checkpoints, decides with the pure rules (complete
 * what is complete, abort what expired, subsume what falls out of retention,
 * prune the failure history, trigger the next) and writes all of it, the latest
 * pointer and the id counter included, in ONE write conditional on the version
 * it read. Actors stepping at once therefore never break a rule: the loser's
 * write is refused and it has done nothing (`conflict`). Side effects that
 * follow a decision (barriers, deleting files) run only after the write.
 * Savepoints keep their own items and are completed and aborted as before.
 */
export async function runCoordinatorStep(
  deps: CoordinatorStepDependencies,
  settings: CoordinatorStepSettings,
  options: CoordinatorStepOptions = {},
  stats: StepStatistics = { triggered: 0, completed: 0, aborted: 0, subsumed: 0 },
): Promise<CoordinatorStepResult> {
  const { store, clock } = deps;
  const { jobId, config } = settings;
  let base = await readLedgerOf(store, jobId, clock);
  if (base.job.status !== 'RUNNING') {
    const job = base.job;
    return { outcome: job.status === 'FAILED' ? 'FAILED' : 'STOPPED', reason: stoppedReason(job), job };
  }
  const tolerable = config.tolerableFailedCheckpoints;
  const before = deriveCoordinatorState(base.checkpoints, base.job.generation, tolerable);

  // Savepoints: their own items, completed as before (a completion moves the pointer itself).
  const savepoints = await store.listCheckpoints(jobId, 'SAVEPOINT');
  const savepointStep = await completePendingSavepoints(deps, settings, savepoints, before, stats, options);
  if (savepointStep.completedAny) base = await readLedgerOf(store, jobId, clock);
  const { job } = base;

  // Periodic checkpoints: decided here, written below in one go.
  const nowMs = clock.nowMs();
  const put = new Map<number, CheckpointRecord>();
  const abortedNow: CheckpointRecord[] = [];
  let completedNow = 0;
  let leftToLastAcker = savepointStep.leftToLastAcker;
  let count = savepointStep.continuousFailureCount;
  let declinedFailure = savepointStep.declinedFailure;
  for (const record of base.checkpoints.filter((r) => r.status === 'PENDING')) {
    const knownAcks = options.knownAcks?.get(record.checkpointId);
    const decided = await decideLedgerCompletion(deps, jobId, record, nowMs, {
      ...(options.asAckerOf === undefined ? {} : { asAckerOf: options.asAckerOf }),
      ...(knownAcks === undefined ? {} : { knownAcks }),
    });
    if (decided.outcome === 'LEFT_TO_LAST_ACKER') leftToLastAcker = true;
    if (decided.outcome === 'COMPLETED') {
      put.set(record.checkpointId, decided.record);
      completedNow++;
      count = onCompletionReset();
    } else if (decided.outcome === 'DECLINED') {
      put.set(record.checkpointId, decided.record);
      abortedNow.push(decided.record);
      const counted = countFailure(count, 'CHECKPOINT_DECLINED', tolerable, record.kind);
      count = counted.count;
      declinedFailure ??= counted.failJob;
    }
  }
  const ledger = base.checkpoints.map((r) => put.get(r.checkpointId) ?? r);
  const records = [...ledger, ...savepointStep.records];
  const state = deriveCoordinatorState(records, job.generation, tolerable);
  const view = coordinatorView(nowMs, records, state);
  const decision = decideCheckpointActions(config, view);

  for (const abort of decision.abort) {
    const record = ledger.find((r) => r.checkpointId === abort.checkpointId);
    if (record) {
      const code = abortReasonCode(abort.reason);
      const aborted: CheckpointRecord = {
        ...record,
        status: 'ABORTED',
        failureReason: abort.reason,
        ...(code === undefined ? {} : { abortReason: code }),
      };
      put.set(record.checkpointId, aborted);
      abortedNow.push(aborted);
    } else if (await abortCheckpoint(deps, jobId, abort.checkpointId, abort.reason)) stats.aborted++;
  }
  const after = ledger.map((r) => put.get(r.checkpointId) ?? r);
  const pointer = newestCompletedId(
    [...after, ...savepointStep.records],
    job.generation,
    job.latestCheckpointId,
  );
  // Never drop the checkpoint processors recover from, whatever the retention count says.
  const subsumed = decision.subsume.filter(
    (id) => id !== pointer && after.some((r) => r.checkpointId === id),
  );
  const keep = abortedRecordsToKeep(settings.abortedHistorySize, tolerable);
  const pruned = after
    .filter((r) => r.status === 'ABORTED')
    .sort((a, b) => b.checkpointId - a.checkpointId)
    .slice(keep)
    .map((r) => r.checkpointId);
  const failReason = declinedFailure ?? decision.failJob?.reason;

  const pendingAfterAborts = view.pending.filter(
    (p) => !decision.abort.some((a) => a.checkpointId === p.checkpointId),
  );
  let nextWakeMs = decision.nextWakeMs;
  let triggered: CheckpointRecord | undefined;
  let shards: ShardDescription[] = [];
  const notBeforeMs = options.triggerNotBeforeMs?.(state, view) ?? Number.NEGATIVE_INFINITY;
  const removed = new Set([...subsumed, ...pruned]);
  if (failReason === undefined && decision.trigger && nowMs >= notBeforeMs) {
    const remaining = after.filter((r) => !removed.has(r.checkpointId));
    const checkpointId = nextFreeCheckpointId(
      Math.max(job.lastCheckpointId, state.highestCheckpointId),
      remaining,
    );
    if (checkpointId === undefined) {
      deps.log?.('trigger-refused', {
        jobId,
        why: 'every ack slot is held by a pending or retained checkpoint',
      });
    } else {
      shards = barrierShards(await deps.writer.listShards());
      triggered = {
        checkpointId,
        kind: 'CHECKPOINT',
        status: 'PENDING',
        generation: job.generation,
        triggerTimeMs: nowMs,
        expectedShards: shards.map((s) => s.shardId).sort(),
        storagePrefix: settings.storagePrefixFor(checkpointId),
      };
      put.set(checkpointId, triggered);
    }
  } else if (decision.trigger && failReason === undefined) {
    // Due, but not this actor's turn yet: look again when it is, or at a timeout.
    nextWakeMs = Math.min(notBeforeMs, ...pendingAfterAborts.map((p) => p.triggerTimeMs + config.timeoutMs));
  }

  const change: LedgerChange = {
    put: [...put.values()].filter((r) => !removed.has(r.checkpointId)),
    remove: [...removed],
    ...(triggered ? { lastCheckpointId: triggered.checkpointId } : {}),
    ...(pointer !== undefined && pointer !== job.latestCheckpointId ? { latestCheckpointId: pointer } : {}),
  };
  if (
    (change.put?.length ?? 0) > 0 ||
    (change.remove?.length ?? 0) > 0 ||
    change.latestCheckpointId !== undefined
  ) {
    try {
      base = await store.commitLedger(jobId, base, change);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      // Another actor stepped (or the job changed) since our read: nothing of ours happened.
      deps.log?.('coordinator-step-conflict', { jobId, version: job.version });
      return {
        outcome: 'RUNNING',
        job,
        state,
        view,
        decision,
        stillPending: true,
        nextWakeMs: nowMs,
        ...(newestExpected(records) ? { expectedShards: newestExpected(records) } : {}),
        leftToLastAcker,
        conflict: true,
      };
    }
  }

  // The write is done: now the effects it decided.
  stats.completed += completedNow;
  for (const record of ledger.filter((r) => put.get(r.checkpointId)?.status === 'COMPLETED')) {
    deps.log?.('checkpoint-completed', {
      jobId,
      checkpointId: record.checkpointId,
      ...put.get(record.checkpointId)?.stats,
    });
  }
  for (const record of abortedNow) {
    stats.aborted++;
    await deleteAckedFiles(deps, jobId, record.checkpointId, 'CHECKPOINT');
    await store.deleteAcks(jobId, record.checkpointId, 'CHECKPOINT');
  }
  for (const checkpointId of subsumed) {
    await deleteAckedFiles(deps, jobId, checkpointId, 'CHECKPOINT');
    stats.subsumed++;
  }
  if (failReason !== undefined) {
    const final = await failJob(store, jobId, failReason, clock);
    deps.log?.('job-failed', { jobId, reason: failReason });
    if (final.status !== 'FAILED') return { outcome: 'STOPPED', reason: stoppedReason(final), job: final };
    return { outcome: 'FAILED', reason: failReason, job: final };
  }
  if (triggered) {
    await deps.writer.putToShards(
      shards.map((s) => ({ shardId: s.shardId, explicitHashKey: s.startingHashKey })),
      encodeBarrier({
        jobId,
        checkpointId: triggered.checkpointId,
        kind: 'CHECKPOINT',
        triggerTimeMs: triggered.triggerTimeMs,
      }),
    );
    stats.triggered++;
    deps.log?.('checkpoint-triggered', { jobId, checkpointId: triggered.checkpointId });
  }
  const expectedShards = triggered?.expectedShards ?? newestExpected(records);
  return {
    outcome: 'RUNNING',
    job: base.job,
    state,
    view,
    decision,
    ...(triggered ? { triggered } : {}),
    stillPending: triggered !== undefined || pendingAfterAborts.length > 0,
    nextWakeMs,
    ...(expectedShards ? { expectedShards } : {}),
    leftToLastAcker,
  };
}

function stoppedReason(job: JobMeta): string {
  return job.statusReason ?? `job is ${job.status}`;
}

/** The job and its ledger, creating the job on first use. */
async function readLedgerOf(store: CheckpointStore, jobId: string, clock: Clock): Promise<JobLedger> {
  const found = await store.readLedger(jobId);
  if (found) return found;
  await ensureJob(store, jobId, clock);
  const created = await store.readLedger(jobId);
  if (!created) throw new NotFoundError(`job ${JSON.stringify(jobId)} vanished right after it was created`);
  return created;
}

/** The newest checkpoint's expected shards: the first one's processor leads the triggers. */
function newestExpected(records: readonly CheckpointRecord[]): string[] | undefined {
  return records
    .filter((r) => r.kind === 'CHECKPOINT' && r.expectedShards.length > 0)
    .reduce<CheckpointRecord | undefined>(
      (a, r) => (a === undefined || r.checkpointId > a.checkpointId ? r : a),
      undefined,
    )?.expectedShards;
}

/**
 * The latest pointer names the newest checkpoint or savepoint completed in the
 * job's generation; it never moves back (a restore moves it with updateJob).
 */
function newestCompletedId(
  records: readonly CheckpointRecord[],
  generation: number,
  current: number | undefined,
): number | undefined {
  let newest = current;
  for (const r of records) {
    if (
      r.status === 'COMPLETED' &&
      r.generation === generation &&
      (newest === undefined || r.checkpointId > newest)
    ) {
      newest = r.checkpointId;
    }
  }
  return newest;
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
