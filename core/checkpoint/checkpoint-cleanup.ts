import { ConditionFailedError, NotFoundError } from '../errors/index.js';
import type { CheckpointKind, CheckpointStatus, CheckpointStore } from '../ports/checkpoint-store.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import { abortReasonCode } from './coordinator-state.js';

/**
 * Storage hygiene (invariant 5: nothing grows without bound). Deletes of
 * aborted and subsumed checkpoints go by the keys their acks name (no LIST);
 * anything else (half-written uploads, late acks' files, interrupted deletes)
 * is caught by the periodic orphan sweep.
 */
export interface CleanupDependencies {
  store: CheckpointStore;
  snapshots: SnapshotStore;
}

/** Deletes the snapshot objects a checkpoint's acks reference (no LIST needed). */
export async function deleteAckedFiles(
  deps: CleanupDependencies,
  jobId: string,
  checkpointId: number,
  kind?: CheckpointKind,
): Promise<void> {
  const acks = await deps.store.listAcks(jobId, checkpointId, kind);
  const keys = acks.flatMap((a) => ('ref' in a.snapshot ? [a.snapshot.ref.key] : []));
  if (keys.length > 0) await deps.snapshots.delete(keys);
}

/**
 * The periodic orphan sweep: one LIST of the job's checkpoint root, then every
 * object that no ack of a PENDING or COMPLETED checkpoint references, and that
 * is not under a PENDING checkpoint's prefix (an upload may be in flight), goes:
 * half-written uploads of crashed processors, late acks' files, leftovers of
 * interrupted deletes. Listing before reading the records makes it safe against
 * checkpoints triggered meanwhile (their files cannot be in the listing).
 */
export async function sweepOrphans(
  deps: CleanupDependencies,
  jobId: string,
  jobRootPrefix: string,
): Promise<number> {
  const listed: string[] = [];
  for await (const object of deps.snapshots.list(`${jobRootPrefix}/`)) listed.push(object.key);
  if (listed.length === 0) return 0;
  const records = await deps.store.listCheckpoints(jobId);
  const pendingPrefixes = records.filter((r) => r.status === 'PENDING').map((r) => `${r.storagePrefix}/`);
  const live = new Set<string>();
  for (const record of records) {
    if (record.status !== 'COMPLETED') continue;
    for (const ack of await deps.store.listAcks(jobId, record.checkpointId, record.kind)) {
      if ('ref' in ack.snapshot) live.add(ack.snapshot.ref.key);
    }
  }
  const orphans = listed.filter((key) => !live.has(key) && !pendingPrefixes.some((p) => key.startsWith(p)));
  if (orphans.length > 0) await deps.snapshots.delete(orphans);
  return orphans.length;
}

/**
 * Aborts a PENDING checkpoint: the record says why (kept for the statistics
 * history; a Flink reason code is also stored as abortReason, from which the
 * failure counter is derived), its acks and files go. Late acks find it ABORTED and are dropped.
 * Returns false when it was no longer PENDING (completed or aborted meanwhile).
 */
export async function abortCheckpoint(
  deps: CleanupDependencies,
  jobId: string,
  checkpointId: number,
  reason: string,
): Promise<boolean> {
  const abortReason = abortReasonCode(reason);
  try {
    await deps.store.transitionCheckpoint(jobId, checkpointId, 'PENDING', {
      status: 'ABORTED',
      failureReason: reason,
      ...(abortReason === undefined ? {} : { abortReason }),
    });
  } catch (error) {
    // Completed, aborted or removed by another actor meanwhile.
    if (error instanceof ConditionFailedError || error instanceof NotFoundError) return false;
    throw error;
  }
  await deleteAckedFiles(deps, jobId, checkpointId);
  await deps.store.deleteAcks(jobId, checkpointId);
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
    try {
      await deps.store.transitionCheckpoint(jobId, checkpointId, from, { status: 'DISCARDED' });
    } catch (error) {
      // Another actor discarding the same checkpoint got there first: the deletes below are idempotent.
      if (!(error instanceof ConditionFailedError) && !(error instanceof NotFoundError)) throw error;
    }
  }
  await deleteAckedFiles(deps, jobId, checkpointId);
  await deps.store.deleteCheckpoint(jobId, checkpointId);
}
