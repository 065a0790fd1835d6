import { ConditionFailedError } from '../errors/index.js';
import type { CheckpointStore, JobLedger, LedgerChange } from '../ports/checkpoint-store.js';

/** What to write after reading the ledger (no change: nothing to write), and what to return. */
export type LedgerDecision<T> = (ledger: JobLedger) => { change?: LedgerChange; result: T };

/**
 * A change of the ledger outside a coordinator step: read it, decide, write
 * conditionally on the version read; a concurrent change of META (another step,
 * a job update) makes it read and decide again, at most `attempts` times.
 * `missing` is the error for a job without a META item.
 */
export async function updateLedger<T>(
  store: Pick<CheckpointStore, 'readLedger' | 'commitLedger'>,
  jobId: string,
  attempts: number,
  decide: LedgerDecision<T>,
  missing: () => Error,
): Promise<T> {
  let conflict: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const ledger = await store.readLedger(jobId);
    if (!ledger) throw missing();
    const { change, result } = decide(ledger);
    if (!change) return result;
    try {
      await store.commitLedger(jobId, ledger, change);
      return result;
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      conflict = error;
    }
  }
  throw conflict;
}
