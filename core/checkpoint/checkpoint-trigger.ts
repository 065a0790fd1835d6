import { CheckpointError, NotFoundError } from '../errors/index.js';
import type {
  CheckpointKind,
  CheckpointRecord,
  CheckpointStore,
  JobMeta,
} from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { ShardDescription, StreamWriter } from '../ports/stream.js';
import { encodeBarrier } from '../processing/barrier.js';
import { nextFreeCheckpointId } from './ack-slots.js';
import { ensureJob } from './job.js';
import { updateLedger } from './ledger-update.js';

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
 * A periodic checkpoint's id and record are one ledger write, its id skipping the
 * ack slots still held (core/checkpoint/ack-slots.ts); a savepoint allocates an id,
 * then writes its own item.
 */
export async function triggerCheckpoint(
  deps: TriggerDependencies,
  request: TriggerRequest,
): Promise<CheckpointRecord> {
  const { writer, clock } = deps;
  const job = await ensureJob(deps.store, request.jobId, clock);
  const shards = barrierShards(await writer.listShards());
  const recordFor = (checkpointId: number, generation: number): CheckpointRecord => ({
    checkpointId,
    kind: request.kind,
    status: 'PENDING',
    generation,
    triggerTimeMs: clock.nowMs(),
    expectedShards: shards.map((s) => s.shardId).sort(),
    storagePrefix: request.storagePrefixFor(checkpointId),
  });
  const record =
    request.kind === 'SAVEPOINT'
      ? await createSavepointRecord(deps, request.jobId, job, recordFor)
      : await createLedgerRecord(deps, request.jobId, recordFor);
  await writer.putToShards(
    shards.map((s) => ({ shardId: s.shardId, explicitHashKey: s.startingHashKey })),
    encodeBarrier({
      jobId: request.jobId,
      checkpointId: record.checkpointId,
      kind: request.kind,
      triggerTimeMs: record.triggerTimeMs,
    }),
  );
  return record;
}

async function createSavepointRecord(
  deps: TriggerDependencies,
  jobId: string,
  job: JobMeta,
  recordFor: (checkpointId: number, generation: number) => CheckpointRecord,
): Promise<CheckpointRecord> {
  const record = recordFor(await deps.store.allocateCheckpointId(jobId), job.generation);
  await deps.store.createCheckpoint(jobId, record);
  return record;
}

const LEDGER_ATTEMPTS = 10;

function createLedgerRecord(
  deps: TriggerDependencies,
  jobId: string,
  recordFor: (checkpointId: number, generation: number) => CheckpointRecord,
): Promise<CheckpointRecord> {
  const missing = () => new NotFoundError(`job ${JSON.stringify(jobId)} has no META item; create it first`);
  return updateLedger(
    deps.store,
    jobId,
    LEDGER_ATTEMPTS,
    (ledger) => {
      const id = nextFreeCheckpointId(ledger.job.lastCheckpointId, ledger.checkpoints);
      if (id === undefined) {
        throw new CheckpointError(
          'TRIGGER_REFUSED',
          `every ack slot of job ${JSON.stringify(jobId)} is held by a pending or retained checkpoint; ` +
            'lower state.checkpoints.num-retained or max-concurrent-checkpoints, or let pending ones finish',
          { retryable: true },
        );
      }
      const record = recordFor(id, ledger.job.generation);
      return { change: { put: [record], lastCheckpointId: id }, result: record };
    },
    missing,
  );
}
