import { CheckpointError } from '../errors/index.js';

/**
 * Another invocation committed this shard's cursor first: a zombie container,
 * an overlapping retry, or ParallelizationFactor > 1. This invocation's effects
 * are discarded; the event source retries the batch, which then starts cold.
 */
export class CursorFencedError extends CheckpointError {
  constructor(shardId: string, detail: string, cause?: unknown) {
    super(
      'CURSOR_FENCED',
      `shard ${shardId}: ${detail}. Another invocation owns this shard's cursor (zombie container, ` +
        'overlapping retry, or ParallelizationFactor > 1); nothing from this invocation was kept and the batch will be retried.',
      { retryable: true, ...(cause === undefined ? {} : { cause }) },
    );
    this.name = 'CursorFencedError';
  }
}

/** The job was restored to another generation while this shard's cursor still has the old one. */
export class GenerationFencedError extends CheckpointError {
  constructor(shardId: string, cursorGeneration: number, jobGeneration: number) {
    super(
      'GENERATION_FENCED',
      `shard ${shardId}: cursor is at generation ${cursorGeneration} but the job is at generation ${jobGeneration}; ` +
        'a restore is in progress, the batch will be retried once it has rewritten the cursors',
      { retryable: true },
    );
    this.name = 'GenerationFencedError';
  }
}

/**
 * The job was canceled or failed: records are left in the stream (the batch is
 * retried, nothing is lost) until an operator restores or resumes the job.
 */
export class JobNotRunningError extends CheckpointError {
  constructor(jobId: string, status: string, reason: string | undefined) {
    super(
      'JOB_NOT_RUNNING',
      `job ${jobId} is ${status}${reason ? ` (${reason})` : ''}: records stay in the stream; ` +
        'restore a checkpoint or savepoint (control function action "restore") to resume',
      { retryable: true },
    );
    this.name = 'JobNotRunningError';
  }
}

/**
 * A cold start's replay (from the last completed checkpoint to the batch) did not
 * fit in the invocation. Retrying cannot help while checkpoints are this far apart.
 */
export class ReplayDeadlineError extends CheckpointError {
  constructor(shardId: string, replayedRecords: number) {
    super(
      'REPLAY_DEADLINE',
      `shard ${shardId}: the replay from the last completed checkpoint did not finish before the invocation ` +
        `deadline (${replayedRecords} records replayed). Raise the processor timeout, or checkpoint more often ` +
        '(a shorter intervalMs), so a cold start replays less.',
      { retryable: true },
    );
    this.name = 'ReplayDeadlineError';
  }
}
