import { ensureJob } from '../checkpoint/job.js';
import { ConditionFailedError } from '../errors/index.js';
import type { CheckpointStore } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import { RestoreRefusedError } from './restore-errors.js';

/**
 * The conditional writes of a restore, each safe to repeat: a restore killed
 * half way and run again finishes the job (see restoreCheckpoint for the order).
 */

/** Bumps the generation (fencing every older writer), sets the job RUNNING and its pointer to the target. */
export async function updateJobForRestore(
  store: CheckpointStore,
  jobId: string,
  plan: { checkpointId: number; kind: string; generation: number },
  clock: Clock,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const job = await ensureJob(store, jobId, clock);
    if (job.generation >= plan.generation) {
      throw new RestoreRefusedError(
        `job ${jobId} moved to generation ${job.generation} while restoring (another restore?); run the restore again`,
      );
    }
    try {
      await store.updateJob(jobId, job.version, {
        ...job,
        generation: plan.generation,
        status: 'RUNNING',
        latestCheckpointId: plan.checkpointId,
        statusReason: `restored from ${plan.kind.toLowerCase()} ${plan.checkpointId} at ${new Date(clock.nowMs()).toISOString()}`,
        updatedAtMs: clock.nowMs(),
      });
      return;
    } catch (error) {
      if (!(error instanceof ConditionFailedError) || attempt >= 10) throw error;
    }
  }
}

export async function discardIfCompleted(
  store: CheckpointStore,
  jobId: string,
  checkpointId: number,
): Promise<void> {
  try {
    await store.transitionCheckpoint(jobId, checkpointId, 'COMPLETED', { status: 'DISCARDED' });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}

/**
 * Points a shard's cursor at the restored position in the new generation,
 * creating it when the shard has none yet (a savepoint imported into a fresh
 * table: without a cursor, a processor would start the shard from an empty state).
 * Retried if a writer races it.
 */
export async function placeCursor(
  store: CheckpointStore,
  jobId: string,
  shardId: string,
  generation: number,
  sequenceNumber: string | undefined,
  clock: Clock,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const cursor = await store.getCursor(jobId, shardId);
    try {
      if (!cursor) {
        if (sequenceNumber === undefined) return;
        await store.createCursor(jobId, {
          shardId,
          version: 1,
          generation,
          initialSequenceNumber: sequenceNumber,
          lastSequenceNumber: sequenceNumber,
          owner: 'restore',
          updatedAtMs: clock.nowMs(),
        });
        return;
      }
      const { lastSequenceNumber: _dropped, ...rest } = cursor;
      await store.replaceCursor(jobId, cursor.version, {
        ...rest,
        version: cursor.version + 1,
        generation,
        ...(sequenceNumber === undefined ? {} : { lastSequenceNumber: sequenceNumber }),
        owner: 'restore',
        updatedAtMs: clock.nowMs(),
      });
      return;
    } catch (error) {
      if (!(error instanceof ConditionFailedError) || attempt >= 20) throw error;
    }
  }
}
