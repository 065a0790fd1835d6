import { type CancelResult, cancelJob } from '../checkpoint/job-cancel.js';
import type { ExternalizedCheckpointCleanup } from '../config/index.js';
import { formatDurationMs } from '../recovery/format-duration.js';
import { type RestorePlan, restoreCheckpoint } from '../recovery/restore.js';
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

export interface RestoreResult extends ControlResultBase, Omit<RestorePlan, 'completedAtMs'> {
  action: 'restore';
  completedAt: string;
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
  const { completedAtMs, ...plan } = await restoreCheckpoint(deps, {
    jobId: settings.jobId,
    checkpointId: request.checkpointId,
    dryRun: request.dryRun,
    allowDataLoss: request.allowDataLoss,
    preferCheckpointForRecovery: settings.preferCheckpointForRecovery,
  });
  const target = `${plan.kind.toLowerCase()} ${plan.checkpointId} (completed ${isoTime(completedAtMs)})`;
  const effects = [
    `generation ${plan.generation}`,
    `${plan.shards.length} shards replay from its positions`,
    ...(plan.abortPending.length > 0 ? [`pending ${plan.abortPending.join(', ')} aborted`] : []),
    ...(plan.discardNewer.length > 0 ? [`newer ${plan.discardNewer.join(', ')} discarded`] : []),
  ].join(', ');
  const warnings = plan.warnings.length > 0 ? `; ${plan.warnings.length} warning(s), see warnings` : '';
  return {
    ok: true,
    action: 'restore',
    ...plan,
    completedAt: isoTime(completedAtMs) ?? '',
    summary: plan.dryRun
      ? `dry run, nothing changed: restoring ${target} would give ${effects}${warnings}`
      : `restored ${target}: ${effects}${warnings}`,
  };
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
