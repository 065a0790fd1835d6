import type { CheckpointRecord } from '../ports/checkpoint-store.js';
import { tryCompleteCheckpoint } from './checkpoint-completion.js';
import { onCompletionReset } from './checkpoint-coordinator-decisions.js';
import type { DerivedCoordinatorState } from './coordinator-state.js';
import type {
  CoordinatorStepDependencies,
  CoordinatorStepOptions,
  CoordinatorStepSettings,
  StepStatistics,
} from './coordinator-step.js';

/**
 * The savepoints' part of a coordinator step. Savepoints keep their own items
 * (never in the ledger), so each completes or aborts with its own conditional
 * writes, as before the ledger; the step then decides on the records as they are.
 */
export interface SavepointStep {
  records: CheckpointRecord[];
  completedAny: boolean;
  leftToLastAcker: boolean;
  continuousFailureCount: number;
  declinedFailure: string | undefined;
}

/** Completes every PENDING savepoint whose acks are all in (their own items, as before the ledger). */
export async function completePendingSavepoints(
  deps: CoordinatorStepDependencies,
  settings: CoordinatorStepSettings,
  savepoints: CheckpointRecord[],
  before: DerivedCoordinatorState,
  stats: StepStatistics,
  options: CoordinatorStepOptions,
): Promise<SavepointStep> {
  const result: SavepointStep = {
    records: savepoints,
    completedAny: false,
    leftToLastAcker: false,
    continuousFailureCount: before.continuousFailureCount,
    declinedFailure: undefined,
  };
  const pending = savepoints.filter((r) => r.status === 'PENDING');
  for (const record of pending) {
    const completion = await tryCompleteCheckpoint(
      deps,
      settings.jobId,
      record.checkpointId,
      options.asAckerOf === undefined ? {} : { asAckerOf: options.asAckerOf },
    );
    if (completion.status === 'COMPLETED') {
      Object.assign(record, completion.checkpoint);
      result.completedAny = true;
      result.continuousFailureCount = onCompletionReset();
      stats.completed++;
      deps.log?.('checkpoint-completed', {
        jobId: settings.jobId,
        checkpointId: record.checkpointId,
        ...completion.checkpoint.stats,
      });
    } else if (completion.status === 'ABORTED') {
      Object.assign(record, { status: 'ABORTED', abortReason: 'CHECKPOINT_DECLINED' });
      stats.aborted++;
    } else if (completion.status === 'PENDING' && completion.leftToShard !== undefined) {
      result.leftToLastAcker = true;
    } else if (completion.status === 'NOT_PENDING' && completion.checkpoint) {
      Object.assign(record, completion.checkpoint);
    }
  }
  return result;
}
