import type { ExternalizedCheckpointCleanup } from '../config/index.js';
import { ConditionFailedError } from '../errors/index.js';
import type { Clock } from '../ports/clock.js';
import { abortCheckpoint, type CleanupDependencies, discardCheckpoint } from './checkpoint-cleanup.js';
import { ensureJob } from './job.js';

export interface CancelResult {
  /** Pending checkpoints aborted by the cancellation. */
  aborted: number[];
  /** Completed checkpoints deleted (DELETE_ON_CANCELLATION); savepoints are never deleted. */
  deleted: number[];
  /** Completed checkpoints kept for a later restore (RETAIN_ON_CANCELLATION). */
  retained: number[];
  alreadyCanceled: boolean;
}

/**
 * Cancels the job (Flink's cancel): the coordinator stops at its next look at the
 * job status, pending checkpoints are aborted, and completed checkpoints are kept
 * or deleted as externalized-checkpoint-retention says. Savepoints always stay.
 */
export async function cancelJob(
  deps: CleanupDependencies & { clock: Clock },
  jobId: string,
  cleanup: ExternalizedCheckpointCleanup,
): Promise<CancelResult> {
  let alreadyCanceled = false;
  for (let attempt = 0; ; attempt++) {
    const job = await ensureJob(deps.store, jobId, deps.clock);
    if (job.status === 'CANCELED') {
      alreadyCanceled = true;
      break;
    }
    try {
      await deps.store.updateJob(jobId, job.version, {
        ...job,
        status: 'CANCELED',
        statusReason: `canceled at ${new Date(deps.clock.nowMs()).toISOString()} (${cleanup})`,
        updatedAtMs: deps.clock.nowMs(),
      });
      break;
    } catch (error) {
      // Another writer (the coordinator) changed the job meanwhile: read again, bounded.
      if (!(error instanceof ConditionFailedError) || attempt >= 10) throw error;
    }
  }
  const records = await deps.store.listCheckpoints(jobId);
  const result: CancelResult = { aborted: [], deleted: [], retained: [], alreadyCanceled };
  for (const record of records) {
    if (
      record.status === 'PENDING' &&
      (await abortCheckpoint(deps, jobId, record.checkpointId, 'JOB_CANCELED'))
    ) {
      result.aborted.push(record.checkpointId);
    }
    if (record.status !== 'COMPLETED' || record.kind !== 'CHECKPOINT') continue;
    if (cleanup === 'DELETE_ON_CANCELLATION') {
      await discardCheckpoint(deps, jobId, record.checkpointId);
      result.deleted.push(record.checkpointId);
    } else {
      result.retained.push(record.checkpointId);
    }
  }
  return result;
}
