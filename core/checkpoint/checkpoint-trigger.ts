import { ConditionFailedError } from '../errors/index.js';
import type {
  CheckpointKind,
  CheckpointRecord,
  CheckpointStore,
  JobMeta,
} from '../ports/checkpoint-store.js';
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
 * injected with ExplicitHashKey so idle shards acknowledge too. Unconditional:
 * savepoints and operator actions, which are forced past the periodic rules.
 */
export async function triggerCheckpoint(
  deps: TriggerDependencies,
  request: TriggerRequest,
): Promise<CheckpointRecord> {
  const job = await ensureJob(deps.store, request.jobId, deps.clock);
  return (await startCheckpoint(deps, request, job, undefined)) as CheckpointRecord;
}

/**
 * A periodic trigger decided on a view whose highest checkpoint id was
 * `expectedLastCheckpointId`: the id is allocated only if no one triggered since
 * (several actors run coordinator steps), so no decision is taken on a stale view.
 * Returns undefined when refused: someone else triggered, which is not an error.
 */
export async function tryTriggerCheckpoint(
  deps: TriggerDependencies,
  request: TriggerRequest,
  job: JobMeta,
  expectedLastCheckpointId: number,
): Promise<CheckpointRecord | undefined> {
  return startCheckpoint(deps, request, job, expectedLastCheckpointId);
}

async function startCheckpoint(
  deps: TriggerDependencies,
  request: TriggerRequest,
  job: JobMeta,
  expectedLastCheckpointId: number | undefined,
): Promise<CheckpointRecord | undefined> {
  const { store, writer, clock } = deps;
  const shards = barrierShards(await writer.listShards());
  let checkpointId: number;
  try {
    checkpointId = await store.allocateCheckpointId(request.jobId, expectedLastCheckpointId);
  } catch (error) {
    if (expectedLastCheckpointId !== undefined && error instanceof ConditionFailedError) return undefined;
    throw error;
  }
  const record: CheckpointRecord = {
    checkpointId,
    kind: request.kind,
    status: 'PENDING',
    generation: job.generation,
    triggerTimeMs: clock.nowMs(),
    expectedShards: shards.map((s) => s.shardId).sort(),
    storagePrefix: request.storagePrefixFor(checkpointId),
  };
  try {
    await store.createCheckpoint(request.jobId, record);
  } catch (error) {
    // The supervisor recorded this id as a lost trigger meanwhile: no barrier was sent, nothing to undo.
    if (expectedLastCheckpointId !== undefined && error instanceof ConditionFailedError) return undefined;
    throw error;
  }
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
