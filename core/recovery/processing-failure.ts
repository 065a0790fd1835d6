import { ensureJob, failJob } from '../checkpoint/job.js';
import type { RestartStrategy } from '../config/index.js';
import { CheckpointError, ConditionFailedError } from '../errors/index.js';
import type { CheckpointStore, FailureEntry, JobMeta } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { EventSourceControl } from '../ports/event-source-control.js';
import type { RestartHistory } from './restart-history.js';
import { decideRestart } from './restart-strategies.js';

export interface FailureHandlingDependencies {
  store: CheckpointStore;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  eventSource?: EventSourceControl;
  random?: () => number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export type FailureVerdict =
  | { action: 'RETRY'; delayMs: number }
  | { action: 'FAILED'; reason: string }
  | { action: 'IGNORED' };

/** Failures that are part of the protocol, not of the job: retried as they are, never counted. */
const NOT_JOB_FAILURES = new Set(['CURSOR_FENCED', 'GENERATION_FENCED', 'JOB_NOT_RUNNING', 'INJECTED_FAULT']);

export function countsAsJobFailure(error: unknown): boolean {
  return !(error instanceof CheckpointError && NOT_JOB_FAILURES.has(error.reason));
}

function historyOf(job: JobMeta): RestartHistory {
  return { failures: job.failures, ...job.restart };
}

/**
 * Flink's restart strategies for a failed processing invocation: the failure is
 * recorded on the job, the strategy decides. Restart: wait the strategy's delay
 * (within the invocation's time left) and let the event source retry the batch.
 * Exhausted: the job is marked FAILED with the cause and the event source mapping
 * disabled, so Lambda's retry limit can never discard records; `status` says how
 * to resume (restore a checkpoint, which sets the job RUNNING again).
 */
export async function handleProcessingFailure(
  deps: FailureHandlingDependencies,
  jobId: string,
  strategy: RestartStrategy,
  error: unknown,
  timeLeftMs: number,
): Promise<FailureVerdict> {
  if (!countsAsJobFailure(error)) return { action: 'IGNORED' };
  const failure: FailureEntry = {
    atMs: deps.clock.nowMs(),
    reason: (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300),
  };
  for (let attempt = 0; attempt < 10; attempt++) {
    const job = await ensureJob(deps.store, jobId, deps.clock);
    if (job.status !== 'RUNNING') return { action: 'FAILED', reason: job.statusReason ?? job.status };
    const decision = decideRestart(strategy, historyOf(job), failure, deps.random ?? Math.random);
    if (!decision.restart) {
      const reason = `restart strategy ${strategy.type} exhausted (${decision.reason}); last failure: ${failure.reason}`;
      await failJob(deps.store, jobId, reason, deps.clock);
      await deps.eventSource?.disable(reason);
      deps.log?.('job-failed', { jobId, reason });
      return { action: 'FAILED', reason };
    }
    const { failures, ...restart } = decision.nextHistory;
    try {
      await deps.store.updateJob(jobId, job.version, {
        ...job,
        failures,
        restart,
        updatedAtMs: deps.clock.nowMs(),
      });
    } catch (updateError) {
      if (updateError instanceof ConditionFailedError) continue; // someone else wrote the job: decide again
      throw updateError;
    }
    const delayMs = Math.max(0, Math.min(decision.delayMs, timeLeftMs));
    deps.log?.('restart-scheduled', { jobId, delayMs, failure: failure.reason });
    if (delayMs > 0) await deps.sleep(delayMs);
    return { action: 'RETRY', delayMs };
  }
  return { action: 'RETRY', delayMs: 0 };
}
