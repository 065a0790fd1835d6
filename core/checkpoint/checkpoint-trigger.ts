import type { CheckpointKind, CheckpointRecord, CheckpointStore } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { ShardDescription, StreamWriter } from '../ports/stream.js';
import { encodeBarrier } from '../processing/barrier.js';
import { ensureJob } from './job.js';

export interface TriggerDependencies {
  store: CheckpointStore;
  writer: StreamWriter;
  clock: Clock;
}

export interface TriggerRequest {
  jobId: string;
  kind: CheckpointKind;
  /** Key prefix for this checkpoint's files, given its id (checkpoints.dir or savepoints.dir layout). */
  storagePrefixFor: (checkpointId: number) => string;
}

/** Shards a barrier must reach: open ones (closed shards join with the resharding work). */
export function barrierShards(shards: ShardDescription[]): ShardDescription[] {
  return shards.filter((s) => s.endingSequenceNumber === undefined);
}

/**
 * Starts a checkpoint: a new id from the CheckpointIDCounter, the PENDING record
 * (written before any barrier, so every ack finds it), then one barrier per shard
 * injected with ExplicitHashKey so idle shards acknowledge too.
 */
export async function triggerCheckpoint(
  deps: TriggerDependencies,
  request: TriggerRequest,
): Promise<CheckpointRecord> {
  const { store, writer, clock } = deps;
  const job = await ensureJob(store, request.jobId, clock);
  const shards = barrierShards(await writer.listShards());
  const checkpointId = await store.allocateCheckpointId(request.jobId);
  const record: CheckpointRecord = {
    checkpointId,
    kind: request.kind,
    status: 'PENDING',
    generation: job.generation,
    triggerTimeMs: clock.nowMs(),
    expectedShards: shards.map((s) => s.shardId).sort(),
    storagePrefix: request.storagePrefixFor(checkpointId),
  };
  await store.createCheckpoint(request.jobId, record);
  await writer.putToShards(
    shards.map((s) => ({ shardId: s.shardId, explicitHashKey: s.startingHashKey })),
    encodeBarrier({
      jobId: request.jobId,
      checkpointId,
      kind: request.kind,
      triggerTimeMs: record.triggerTimeMs,
    }),
  );
  return record;
}
