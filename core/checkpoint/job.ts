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
