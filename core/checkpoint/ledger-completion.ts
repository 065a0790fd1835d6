import { isCheckpointError } from '../errors/index.js';
import type { CheckpointRecord, CheckpointStore, ShardAck } from '../ports/checkpoint-store.js';
import {
  checkpointStatistics,
  lastAck,
  missingShards,
  snapshotSize,
  verifyAck,
} from './checkpoint-completion.js';

/** What a step decided for one pending periodic checkpoint, before its one write. */
export type LedgerCompletion =
  | { outcome: 'COMPLETED'; record: CheckpointRecord }
  | { outcome: 'DECLINED'; record: CheckpointRecord; reason: string }
  | { outcome: 'WAITING' }
  | { outcome: 'LEFT_TO_LAST_ACKER' };

/**
 * Decides whether a pending periodic checkpoint of the ledger completes:
 * every expected shard acked in its generation with a snapshot that verifies
 * (invariant 2), else it waits; a snapshot that fails verification declines it.
 * Nothing is written here: the step writes every decision at once (commitLedger).
 * `asAckerOf`: the caller is that shard's processor and completes only as the
 * last acker (newest ack time, then highest shard id).
 */
export async function decideLedgerCompletion(
  deps: { store: CheckpointStore },
  jobId: string,
  record: CheckpointRecord,
  nowMs: number,
  options: { asAckerOf?: string; knownAcks?: ShardAck[] } = {},
): Promise<LedgerCompletion> {
  const all = options.knownAcks ?? (await deps.store.listAcks(jobId, record.checkpointId, 'CHECKPOINT'));
  const acks = all.filter((a) => a.generation === record.generation);
  if (missingShards(record, acks).length > 0) return { outcome: 'WAITING' };
  const expected = new Set(record.expectedShards);
  const counted = acks.filter((a) => expected.has(a.shardId));
  if (options.asAckerOf !== undefined && lastAck(counted)?.shardId !== options.asAckerOf) {
    return { outcome: 'LEFT_TO_LAST_ACKER' };
  }
  try {
    for (const ack of counted) verifyAck(ack);
  } catch (error) {
    if (!isCheckpointError(error, 'SNAPSHOT_CORRUPT') && !isCheckpointError(error, 'NOT_FOUND')) throw error;
    const reason = `snapshot verification failed: ${(error as Error).message}`;
    return {
      outcome: 'DECLINED',
      reason,
      record: { ...record, status: 'ABORTED', failureReason: reason, abortReason: 'CHECKPOINT_DECLINED' },
    };
  }
  return {
    outcome: 'COMPLETED',
    record: {
      ...record,
      status: 'COMPLETED',
      completedAtMs: nowMs,
      totalSizeBytes: counted.reduce((sum, a) => sum + snapshotSize(a), 0),
      stats: checkpointStatistics(record, counted, nowMs),
    },
  };
}
