import { tryCompleteCheckpoint } from '../checkpoint/checkpoint-completion.js';
import { triggerCheckpoint } from '../checkpoint/checkpoint-trigger.js';
import { savepointPrefix } from '../checkpoint/storage-location.js';
import type { CheckpointRecord } from '../ports/checkpoint-store.js';
import { formatDurationMs } from '../recovery/format-duration.js';
import { ControlRefusedError } from './control-errors.js';
import type { ControlDependencies, ControlResultBase, ControlSettings } from './control-types.js';
import { formatBytes } from './format.js';

/** How often a waiting savepoint call looks whether every shard has acknowledged. */
export const SAVEPOINT_POLL_MS = 250;

export type SavepointOutcome =
  | { status: 'COMPLETED'; checkpoint: CheckpointRecord }
  | { status: 'ABORTED'; checkpointId: number; storagePrefix: string; reason: string }
  | {
      status: 'PENDING';
      checkpointId: number;
      storagePrefix: string;
      missingShards: string[];
      waitedMs: number;
    };

export interface SavepointResult extends ControlResultBase {
  action: 'savepoint';
  status: 'COMPLETED' | 'PENDING';
  checkpointId: number;
  storagePrefix: string;
  sizeBytes?: number;
  durationMs?: number;
  missingShards?: string[];
}

/**
 * Flink's "trigger a savepoint": a SAVEPOINT-kind checkpoint under
 * savepoints.dir (never subsumed, never deleted by cancel), then waits up to
 * `waitMs` for it to complete. One still pending after that is not lost: the
 * coordinator completes or times it out like any pending checkpoint.
 */
export async function takeSavepoint(
  deps: ControlDependencies,
  settings: ControlSettings,
  waitMs: number,
): Promise<SavepointOutcome> {
  const { store, clock, sleep } = deps;
  const { jobId } = settings;
  const job = await store.getJob(jobId);
  if (job && job.status !== 'RUNNING') {
    throw new ControlRefusedError(
      'JOB_NOT_RUNNING',
      `job ${jobId} is ${job.status}${job.statusReason ? ` (${job.statusReason})` : ''}: a savepoint needs running ` +
        'processors to acknowledge its barriers; restore a checkpoint or savepoint first (action "restore")',
    );
  }
  const record = await triggerCheckpoint(deps, {
    jobId,
    kind: 'SAVEPOINT',
    storagePrefixFor: (id) => savepointPrefix(settings.savepointsPrefix, jobId, id).replace(/\/$/, ''),
  });
  const { checkpointId, storagePrefix } = record;
  const startMs = clock.nowMs();
  // Counts the sleeps too, so a clock that does not move (a test's) cannot make this wait forever.
  let sleptMs = 0;
  for (;;) {
    const result = await tryCompleteCheckpoint(deps, jobId, checkpointId);
    if (result.status === 'COMPLETED') return { status: 'COMPLETED', checkpoint: result.checkpoint };
    if (result.status === 'ABORTED')
      return { status: 'ABORTED', checkpointId, storagePrefix, reason: result.reason };
    if (result.status === 'NOT_PENDING') {
      // The coordinator got there first: completed it, or aborted it (timeout, restore, cancel).
      const found = result.checkpoint;
      if (found?.status === 'COMPLETED') return { status: 'COMPLETED', checkpoint: found };
      const reason = found
        ? `${found.status}${found.failureReason ? `: ${found.failureReason}` : ''}`
        : 'deleted';
      return { status: 'ABORTED', checkpointId, storagePrefix, reason };
    }
    const waitedMs = Math.max(sleptMs, clock.nowMs() - startMs);
    if (waitedMs >= waitMs) {
      return {
        status: 'PENDING',
        checkpointId,
        storagePrefix,
        missingShards: result.missingShards,
        waitedMs,
      };
    }
    const pauseMs = Math.min(SAVEPOINT_POLL_MS, waitMs - waitedMs);
    await sleep(pauseMs);
    sleptMs += pauseMs;
  }
}

/** The savepoint action: an aborted savepoint is a refusal (ok: false), a pending one is reported. */
export async function runSavepointAction(
  deps: ControlDependencies,
  settings: ControlSettings,
  waitMs: number,
): Promise<SavepointResult> {
  const outcome = await takeSavepoint(deps, settings, waitMs);
  if (outcome.status === 'ABORTED') throw savepointAbortedError(outcome.checkpointId, outcome.reason, '');
  if (outcome.status === 'PENDING') {
    return {
      ok: true,
      action: 'savepoint',
      status: 'PENDING',
      checkpointId: outcome.checkpointId,
      storagePrefix: outcome.storagePrefix,
      missingShards: outcome.missingShards,
      summary:
        `savepoint ${outcome.checkpointId} is still pending after ${formatDurationMs(outcome.waitedMs)} ` +
        `(waiting for shards ${outcome.missingShards.join(', ')}); the coordinator will complete it or time it ` +
        'out: check with action "status"',
    };
  }
  const { checkpoint } = outcome;
  return {
    ok: true,
    action: 'savepoint',
    status: 'COMPLETED',
    checkpointId: checkpoint.checkpointId,
    storagePrefix: checkpoint.storagePrefix,
    sizeBytes: checkpoint.totalSizeBytes ?? 0,
    durationMs: checkpoint.stats?.durationMs ?? 0,
    summary: completedSummary(checkpoint),
  };
}

export function completedSummary(checkpoint: CheckpointRecord): string {
  return (
    `savepoint ${checkpoint.checkpointId} completed in ${formatDurationMs(checkpoint.stats?.durationMs ?? 0)}: ` +
    `${checkpoint.expectedShards.length} shards, ${formatBytes(checkpoint.totalSizeBytes ?? 0)} under ` +
    `${checkpoint.storagePrefix}; restore it with {"action":"restore","checkpointId":${checkpoint.checkpointId}}`
  );
}

export function savepointAbortedError(checkpointId: number, reason: string, consequence: string) {
  return new ControlRefusedError(
    'CHECKPOINT_DECLINED',
    `savepoint ${checkpointId} was aborted (${reason})${consequence}; check the processors' logs and action ` +
      '"status", then try again',
  );
}
