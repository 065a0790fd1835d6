import type { CheckpointRecord, CheckpointStore, ShardAck } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import { compareSequenceNumbers, type ShardDescription, type StreamWriter } from '../ports/stream.js';
import { encodeBarrier } from '../processing/barrier.js';
import { RestoreRefusedError } from './restore-errors.js';

/**
 * Where the shards resume after restoring a savepoint (Flink's savepoint start
 * positions, in Kinesis terms):
 *   savepoint     at the savepoint's barrier positions: exactly-once continuation (the default);
 *   trim_horizon  at each shard's start: every record still in the stream is applied again on
 *                 top of the savepoint's state (a savepoint moved to a new stream, or a reprocess);
 *   latest        at each shard's current end: records after the savepoint are skipped.
 */
export type StartPosition = 'savepoint' | 'trim_horizon' | 'latest';
export const START_POSITIONS: readonly StartPosition[] = ['savepoint', 'trim_horizon', 'latest'];

/**
 * Job id of the marker record `latest` writes into each shard to learn its current
 * end (Kinesis has no "last sequence number" call). It is a barrier addressed to no
 * job: processors skip it, user code never sees it.
 */
export function latestMarkerJobId(jobId: string): string {
  return `${jobId}#restore-marker`;
}

function shardsById(shards: ShardDescription[]): Map<string, ShardDescription> {
  return new Map(shards.map((s) => [s.shardId, s]));
}

/**
 * Checks the savepoint's positions against the stream: a position below a shard's
 * starting sequence number was taken on another stream (an imported savepoint)
 * and cannot be replayed from here.
 */
export function checkPositionsInStream(
  checkpointId: number,
  acks: ShardAck[],
  shards: ShardDescription[],
): void {
  const byId = shardsById(shards);
  for (const ack of acks) {
    const start = byId.get(ack.shardId)?.startingSequenceNumber;
    if (start !== undefined && compareSequenceNumbers(ack.sequenceNumber, start) < 0) {
      throw new RestoreRefusedError(
        `savepoint ${checkpointId}: position ${ack.sequenceNumber} of shard ${ack.shardId} lies before the shard's ` +
          `start (${start}) in this stream, so it was taken on another stream and cannot be resumed from; pass ` +
          'startPosition "trim_horizon" (apply every record of this stream on top of the savepoint\'s state) or ' +
          '"latest" (only records that arrive from now on)',
        checkpointId,
      );
    }
  }
}

/** The trim_horizon position of each shard: its starting sequence number (every record is after it). */
export function trimHorizonPositions(
  checkpointId: number,
  acks: ShardAck[],
  shards: ShardDescription[],
): Map<string, string> {
  const byId = shardsById(shards);
  const positions = new Map<string, string>();
  for (const ack of acks) {
    const start = byId.get(ack.shardId)?.startingSequenceNumber;
    if (start === undefined) {
      throw new RestoreRefusedError(
        `savepoint ${checkpointId}: shard ${ack.shardId} is not in the stream (shards: ` +
          `${shards.map((s) => s.shardId).join(', ')}), so it has no trim horizon; restore with startPosition "savepoint"`,
        checkpointId,
      );
    }
    positions.set(ack.shardId, start);
  }
  return positions;
}

/** The current end of each shard: a closed shard's ending sequence number, else a marker record's. */
export async function latestPositions(
  writer: StreamWriter,
  jobId: string,
  shardIds: string[],
  clock: Clock,
): Promise<Map<string, string>> {
  const byId = shardsById(await writer.listShards());
  const positions = new Map<string, string>();
  const open: ShardDescription[] = [];
  for (const shardId of shardIds) {
    const shard = byId.get(shardId);
    if (shard?.endingSequenceNumber !== undefined) positions.set(shardId, shard.endingSequenceNumber);
    else if (shard) open.push(shard);
  }
  const marker = encodeBarrier({
    jobId: latestMarkerJobId(jobId),
    checkpointId: 0,
    kind: 'SAVEPOINT',
    triggerTimeMs: clock.nowMs(),
  });
  const written = await writer.putToShards(
    open.map((s) => ({ shardId: s.shardId, explicitHashKey: s.startingHashKey })),
    marker,
  );
  for (const { shardId, sequenceNumber } of written) positions.set(shardId, sequenceNumber);
  return positions;
}

/**
 * The savepoint as a new COMPLETED savepoint of this job whose positions are the
 * chosen start: processors resume a shard from the latest checkpoint's ack, so
 * the ack is where the start position lives. Same snapshots (never copied, never
 * deleted: a savepoint's files are kept). Written COMPLETED first, then acks: a
 * run killed in between leaves a record that a restore refuses (acks missing),
 * never an abortable PENDING one whose cleanup would delete the shared files.
 */
export async function rebaseSavepoint(
  deps: { store: CheckpointStore; clock: Clock },
  jobId: string,
  source: CheckpointRecord,
  acks: ShardAck[],
  positions: Map<string, string>,
): Promise<number> {
  const { store, clock } = deps;
  const checkpointId = await store.allocateCheckpointId(jobId);
  const job = await store.getJob(jobId);
  const generation = job?.generation ?? source.generation;
  const nowMs = clock.nowMs();
  await store.createCheckpoint(jobId, {
    checkpointId,
    kind: 'SAVEPOINT',
    status: 'COMPLETED',
    generation,
    triggerTimeMs: nowMs,
    completedAtMs: nowMs,
    expectedShards: acks.map((a) => a.shardId),
    storagePrefix: source.storagePrefix,
    ...(source.totalSizeBytes === undefined ? {} : { totalSizeBytes: source.totalSizeBytes }),
  });
  for (const ack of acks) {
    await store.putAck(jobId, {
      ...ack,
      kind: 'SAVEPOINT',
      checkpointId,
      generation,
      sequenceNumber: positions.get(ack.shardId) ?? ack.sequenceNumber,
      ackTimeMs: nowMs,
    });
  }
  return checkpointId;
}
