import type {
  CheckpointRecord,
  CheckpointStatus,
  JobLedger,
  JobMeta,
  LedgerChange,
} from '../ports/checkpoint-store.js';
import { refusals } from './checkpoint-store-errors.js';
import { type CheckpointTransition, checkpointTransitionFields } from './dynamodb-updates.js';

/**
 * The ledger of periodic checkpoints kept in the job's META item, as pure
 * functions over what was read: both stores apply them, the in-memory one inside
 * one synchronous call, the DynamoDB one as a read then a version-conditional write.
 */

/** The ledger after `change`, or the refusal a store must throw. Pure. */
export function applyLedgerChange(
  current: JobLedger,
  expectedVersion: number,
  change: LedgerChange,
): JobLedger {
  const { job } = current;
  if (job.version !== expectedVersion) throw refusals.ledgerVersion(job.jobId, expectedVersion, job.version);
  if (change.lastCheckpointId !== undefined && change.lastCheckpointId <= job.lastCheckpointId) {
    throw refusals.ledgerCounter(job.jobId, change.lastCheckpointId, job.lastCheckpointId);
  }
  if (
    change.latestCheckpointId !== undefined &&
    job.latestCheckpointId !== undefined &&
    change.latestCheckpointId < job.latestCheckpointId
  ) {
    throw refusals.ledgerLatest(job.jobId, change.latestCheckpointId, job.latestCheckpointId);
  }
  for (const record of change.put ?? []) {
    if (record.kind !== 'CHECKPOINT') throw refusals.ledgerKind(job.jobId, record.checkpointId, record.kind);
  }
  const byId = new Map(current.checkpoints.map((r) => [r.checkpointId, r]));
  for (const id of change.remove ?? []) byId.delete(id);
  for (const record of change.put ?? []) byId.set(record.checkpointId, structuredClone(record));
  const nextJob: JobMeta = {
    ...job,
    version: job.version + 1,
    ...(change.lastCheckpointId === undefined ? {} : { lastCheckpointId: change.lastCheckpointId }),
    ...(change.latestCheckpointId === undefined ? {} : { latestCheckpointId: change.latestCheckpointId }),
  };
  return { job: nextJob, checkpoints: [...byId.values()].sort((a, b) => a.checkpointId - b.checkpointId) };
}

export function findInLedger(ledger: JobLedger, checkpointId: number): CheckpointRecord | undefined {
  return ledger.checkpoints.find((r) => r.checkpointId === checkpointId);
}

/** createCheckpoint of a periodic checkpoint: the change that adds it, or the refusal. */
export function ledgerCreate(ledger: JobLedger, record: CheckpointRecord): LedgerChange {
  const found = findInLedger(ledger, record.checkpointId);
  if (found) throw refusals.checkpointExists(ledger.job.jobId, record.checkpointId, found.status);
  return { put: [record] };
}

/** transitionCheckpoint of a periodic checkpoint held in the ledger: the record after, and the change. */
export function ledgerTransition(
  ledger: JobLedger,
  found: CheckpointRecord,
  from: CheckpointStatus,
  next: CheckpointTransition,
): { record: CheckpointRecord; change: LedgerChange } {
  if (found.status !== from) {
    throw refusals.checkpointStatus(ledger.job.jobId, found.checkpointId, from, found.status);
  }
  const record = { ...found, ...checkpointTransitionFields(next) };
  return { record, change: { put: [record] } };
}
