import { ConditionFailedError } from '../errors/index.js';
import type { CheckpointRecord, CheckpointStatus, CheckpointStore } from '../ports/checkpoint-store.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';

/**
 * Storage hygiene (invariant 5: nothing grows without bound). A checkpoint's
 * files all live under its storagePrefix, so deleting the prefix also removes
 * orphans (half-written uploads, late acks' objects) that no ack references.
 */
export interface CleanupDependencies {
  store: CheckpointStore;
  snapshots: SnapshotStore;
}

export async function deletePrefix(snapshots: SnapshotStore, prefix: string): Promise<number> {
  const keys: string[] = [];
  for await (const object of snapshots.list(`${prefix}/`)) keys.push(object.key);
  if (keys.length > 0) await snapshots.delete(keys);
  return keys.length;
}

/** Files under a completed checkpoint's prefix that none of its acks references. */
export async function deleteUnreferencedFiles(
  deps: CleanupDependencies,
  jobId: string,
  checkpoint: CheckpointRecord,
): Promise<number> {
  const acks = await deps.store.listAcks(jobId, checkpoint.checkpointId);
  const referenced = new Set(acks.flatMap((a) => ('ref' in a.snapshot ? [a.snapshot.ref.key] : [])));
  const orphans: string[] = [];
  for await (const object of deps.snapshots.list(`${checkpoint.storagePrefix}/`)) {
    if (!referenced.has(object.key)) orphans.push(object.key);
  }
  if (orphans.length > 0) await deps.snapshots.delete(orphans);
  return orphans.length;
}

/**
 * Aborts a PENDING checkpoint: the record says why (kept for the statistics
 * history), its acks and files go. Late acks find it ABORTED and are dropped.
 * Returns false when it was no longer PENDING (completed or aborted meanwhile).
 */
export async function abortCheckpoint(
  deps: CleanupDependencies,
  jobId: string,
  checkpointId: number,
  reason: string,
): Promise<boolean> {
  let record: CheckpointRecord;
  try {
    record = await deps.store.transitionCheckpoint(jobId, checkpointId, 'PENDING', {
      status: 'ABORTED',
      failureReason: reason,
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
  await deps.store.deleteAcks(jobId, checkpointId);
  await deletePrefix(deps.snapshots, record.storagePrefix);
  return true;
}

/**
 * Discards a subsumed (or cancelled-with-delete) checkpoint: first marked
 * DISCARDED so no restore picks it while its files are being deleted, then
 * files, acks and the record itself. Savepoints are never passed here.
 */
export async function discardCheckpoint(
  deps: CleanupDependencies,
  jobId: string,
  checkpointId: number,
  from: CheckpointStatus = 'COMPLETED',
): Promise<void> {
  const current = await deps.store.getCheckpoint(jobId, checkpointId);
  if (!current) return;
  if (current.status === from) {
    await deps.store.transitionCheckpoint(jobId, checkpointId, from, { status: 'DISCARDED' });
  }
  await deletePrefix(deps.snapshots, current.storagePrefix);
  await deps.store.deleteCheckpoint(jobId, checkpointId);
}

/** Keeps only the newest `keep` ABORTED records (the failure history); older ones go. */
export async function pruneAbortedHistory(
  deps: CleanupDependencies,
  jobId: string,
  records: CheckpointRecord[],
  keep: number,
): Promise<number> {
  const aborted = records
    .filter((r) => r.status === 'ABORTED')
    .sort((a, b) => b.checkpointId - a.checkpointId);
  const old = aborted.slice(keep);
  for (const record of old) {
    // An ack that raced the abort may have left an object: the prefix goes with the record.
    await deletePrefix(deps.snapshots, record.storagePrefix);
    await deps.store.deleteCheckpoint(jobId, record.checkpointId);
  }
  return old.length;
}
