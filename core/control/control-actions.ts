import { type CancelResult, cancelJob } from '../checkpoint/job-cancel.js';
import type { ExternalizedCheckpointCleanup } from '../config/index.js';
import { formatDurationMs } from '../recovery/format-duration.js';
import { type RestorePlan, restoreCheckpoint } from '../recovery/restore.js';
import { restoreSavepointPath, type SavepointImportPlan } from '../recovery/savepoint-import.js';
import { ControlRefusedError } from './control-errors.js';
import type { CancelControlRequest, ControlRequest, RestoreControlRequest } from './control-request.js';
import { DEFAULT_SAVEPOINT_WAIT_MS } from './control-request.js';
import type { ControlDependencies, ControlResultBase, ControlSettings } from './control-types.js';
import { isoTime } from './format.js';
import {
  runSavepointAction,
  type SavepointResult,
  savepointAbortedError,
  takeSavepoint,
} from './savepoint-action.js';
import {
  describeList,
  describeStatus,
  howToResume,
  type ListResult,
  type StatusResult,
} from './status-view.js';

export interface RestoreResult
  extends ControlResultBase,
    Omit<RestorePlan, 'completedAtMs'>,
    Partial<Pick<SavepointImportPlan, 'source' | 'shardMapping' | 'imported'>> {
  action: 'restore';
  completedAt: string;
  /** What the restore did to the processor's event source mappings, when anything. */
  eventSourceMappings?: string;
}

export interface CancelActionResult extends ControlResultBase, CancelResult {
  action: 'cancel';
  cleanup: ExternalizedCheckpointCleanup;
  /** The savepoint taken first (savepointFirst). */
  savepoint?: { checkpointId: number; storagePrefix: string; sizeBytes: number };
  howToResume: string;
}

export type ControlResult = RestoreResult | SavepointResult | CancelActionResult | StatusResult | ListResult;

/**
 * Runs one console action against the job. Refusals (bad restore target, failed
 * savepoint before cancel) are thrown as typed errors before anything changes;
 * see `controlFailure` for their console form.
 */
export async function runControlAction(
  deps: ControlDependencies,
  settings: ControlSettings,
  request: ControlRequest,
): Promise<ControlResult> {
  switch (request.action) {
    case 'restore':
      return restore(deps, settings, request);
    case 'savepoint':
      return runSavepointAction(deps, settings, request.waitMs);
    case 'cancel':
      return cancel(deps, settings, request);
    case 'status': {
      const job = await deps.store.getJob(settings.jobId);
      const records = await deps.store.listCheckpoints(settings.jobId);
      return describeStatus(settings.jobId, job, records, settings.restartStrategy, deps.clock.nowMs());
    }
    case 'list':
      return describeList(settings.jobId, await deps.store.listCheckpoints(settings.jobId));
  }
}

async function restore(
  deps: ControlDependencies,
  settings: ControlSettings,
  request: RestoreControlRequest,
): Promise<RestoreResult> {
  const wasStatus = (await deps.store.getJob(settings.jobId))?.status;
  const common = {
    jobId: settings.jobId,
    dryRun: request.dryRun,
    allowDataLoss: request.allowDataLoss,
    preferCheckpointForRecovery: settings.preferCheckpointForRecovery,
    ...(request.startPosition === undefined ? {} : { startPosition: request.startPosition }),
  };
  const { completedAtMs, ...plan }: RestorePlan & Partial<SavepointImportPlan> =
    'savepointPath' in request
      ? await restoreSavepointPath(deps, {
          ...common,
          savepointPath: request.savepointPath,
          allowJobIdChange: request.allowJobIdChange,
          ...(settings.bucket === undefined ? {} : { bucket: settings.bucket }),
        })
      : await restoreCheckpoint(deps, { ...common, checkpointId: request.checkpointId });
  const eventSourceMappings = plan.dryRun ? undefined : await resumeDelivery(deps, settings.jobId, wasStatus);
  const imported = plan.source
    ? `${plan.imported ? 'imported' : 'already held'} savepoint ${plan.source.checkpointId} of job ${plan.source.jobId} (${plan.source.storagePrefix}) as `
    : '';
  const target = `${imported}${plan.kind.toLowerCase()} ${plan.checkpointId} (completed ${isoTime(completedAtMs)})`;
  const resume =
    plan.startPosition === 'savepoint'
      ? 'replay from its positions'
      : `resume from ${plan.startPosition === 'latest' ? 'their current end' : 'their start (trim horizon)'}${plan.rebasedAs === undefined ? '' : ` as savepoint ${plan.rebasedAs}`}`;
  const effects = [
    `generation ${plan.generation}`,
    `${plan.shards.length} shards ${resume}`,
    ...(plan.abortPending.length > 0 ? [`pending ${plan.abortPending.join(', ')} aborted`] : []),
    ...(plan.discardNewer.length > 0 ? [`newer ${plan.discardNewer.join(', ')} discarded`] : []),
    ...(eventSourceMappings ? [eventSourceMappings] : []),
  ].join(', ');
  const warnings = plan.warnings.length > 0 ? `; ${plan.warnings.length} warning(s), see warnings` : '';
  return {
    ok: true,
    action: 'restore',
    ...plan,
    completedAt: isoTime(completedAtMs) ?? '',
    ...(eventSourceMappings ? { eventSourceMappings } : {}),
    summary: plan.dryRun
      ? `dry run, nothing changed: restoring ${target} would give ${effects}${warnings}`
      : `restored ${target}: ${effects}${warnings}`,
  };
}

/**
 * A restored job runs again: the restart strategy of a FAILED job disabled the
 * processor's event source mappings, so they are enabled (always asked: a
 * restore killed between its writes and this call is finished by running it again).
 */
async function resumeDelivery(
  deps: ControlDependencies,
  jobId: string,
  wasStatus: string | undefined,
): Promise<string | undefined> {
  if (!deps.eventSource) {
    return wasStatus === 'FAILED'
      ? 'event source mappings NOT re-enabled (FLINKLESS_PROCESSOR_FUNCTION is not set): enable them by hand'
      : undefined;
  }
  const enabled = await deps.eventSource.enable(`job ${jobId} restored`);
  return enabled > 0 ? `${enabled} event source mapping(s) re-enabled` : undefined;
}

async function cancel(
  deps: ControlDependencies,
  settings: ControlSettings,
  request: CancelControlRequest,
): Promise<CancelActionResult> {
  let savepoint: CancelActionResult['savepoint'];
  if (request.savepointFirst) {
    const outcome = await takeSavepoint(deps, settings, DEFAULT_SAVEPOINT_WAIT_MS);
    if (outcome.status === 'ABORTED') {
      throw savepointAbortedError(outcome.checkpointId, outcome.reason, ', so the job was not canceled');
    }
    if (outcome.status === 'PENDING') {
      throw new ControlRefusedError(
        'CHECKPOINT_EXPIRED',
        `savepoint ${outcome.checkpointId} did not complete within ${formatDurationMs(outcome.waitedMs)} ` +
          `(waiting for shards ${outcome.missingShards.join(', ')}), so the job was not canceled; the ` +
          'coordinator may still complete it: check with action "status", then cancel again',
      );
    }
    const { checkpoint } = outcome;
    savepoint = {
      checkpointId: checkpoint.checkpointId,
      storagePrefix: checkpoint.storagePrefix,
      sizeBytes: checkpoint.totalSizeBytes ?? 0,
    };
  }
  const cleanup = settings.externalizedCheckpointCleanup;
  const result = await cancelJob(deps, settings.jobId, cleanup);
  const job = await deps.store.getJob(settings.jobId);
  const records = await deps.store.listCheckpoints(settings.jobId);
  const done = result.alreadyCanceled ? 'was already canceled' : 'canceled';
  const kept =
    cleanup === 'DELETE_ON_CANCELLATION'
      ? `${result.deleted.length} completed checkpoints deleted`
      : `${result.retained.length} completed checkpoints retained`;
  return {
    ok: true,
    action: 'cancel',
    cleanup,
    ...result,
    ...(savepoint ? { savepoint } : {}),
    howToResume: job ? howToResume(job, records) : '',
    summary:
      `job ${settings.jobId} ${done}` +
      (savepoint ? ` after savepoint ${savepoint.checkpointId} (${savepoint.storagePrefix})` : '') +
      `: ${result.aborted.length} pending aborted, ${kept} (${cleanup}); savepoints are kept`,
  };
}
