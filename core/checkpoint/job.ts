import { ConditionFailedError } from '../errors/index.js';
import type { CheckpointStore, JobMeta } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';

/** Creates the job's META item on first use; an existing one is left as it is. */
export async function ensureJob(store: CheckpointStore, jobId: string, clock: Clock): Promise<JobMeta> {
  const existing = await store.getJob(jobId);
  if (existing) return existing;
  const meta: JobMeta = {
    jobId,
    generation: 1,
    status: 'RUNNING',
    lastCheckpointId: 0,
    version: 1,
    failures: [],
    updatedAtMs: clock.nowMs(),
  };
  try {
    await store.createJob(meta);
    return meta;
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    const raced = await store.getJob(jobId);
    if (!raced) throw error;
    return raced;
  }
}

/**
 * Marks the job FAILED with a reason, re-reading on a version conflict (the
 * latest-checkpoint pointer moves the version too). A job that is no longer
 * RUNNING (canceled meanwhile) is left as it is. Returns the job as stored.
 */
export async function failJob(
  store: CheckpointStore,
  jobId: string,
  reason: string,
  clock: Clock,
): Promise<JobMeta> {
  for (let attempt = 0; ; attempt++) {
    const job = await ensureJob(store, jobId, clock);
    if (job.status !== 'RUNNING') return job;
    try {
      return await store.updateJob(jobId, job.version, {
        ...job,
        status: 'FAILED',
        statusReason: reason,
        updatedAtMs: clock.nowMs(),
      });
    } catch (error) {
      if (!(error instanceof ConditionFailedError) || attempt >= 10) throw error;
    }
  }
}
