import type {
  CheckpointRecord,
  CheckpointStore,
  JobLedger,
  JobMeta,
  ShardAck,
  ShardCursor,
} from '../../core/ports/checkpoint-store.js';
import type { SnapshotStore } from '../../core/ports/snapshot-store.js';
import type { StreamWriter } from '../../core/ports/stream.js';
import {
  ackSizeBytes,
  checkpointSizeBytes,
  cursorSizeBytes,
  jobSizeBytes,
  ledgerSizeBytes,
  readUnits,
  writeUnits,
} from './item-size.js';
import { HOURS_PER_MONTH, PRICES } from './prices.js';

/** Billable request units as AWS counts them (DynamoDB by item size: see countingStore). */
export interface RequestCounts {
  dynamoReads: number;
  dynamoWrites: number;
  s3Puts: number;
  s3Gets: number;
  s3Lists: number;
  kinesisPutUnits: number;
  kinesisCalls: number;
}

export function emptyCounts(): RequestCounts {
  return {
    dynamoReads: 0,
    dynamoWrites: 0,
    s3Puts: 0,
    s3Gets: 0,
    s3Lists: 0,
    kinesisPutUnits: 0,
    kinesisCalls: 0,
  };
}

/**
 * Wraps a CheckpointStore, counting DynamoDB request units per call as AWS bills
 * them: a write by the size of the item it writes (1 KB units; the ledger in META
 * grows with the checkpoints it holds), a strongly consistent read or query by the
 * size of what it reads (4 KB units), a delete per item.
 */
export function countingStore(inner: CheckpointStore, counts: RequestCounts): CheckpointStore {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const name = String(property);
      return async (...args: unknown[]) => {
        if (name === 'deleteAcks' || name === 'deleteCheckpoint') {
          const [jobId, checkpointId] = args as [string, number];
          counts.dynamoWrites += (await target.listAcks(jobId, checkpointId)).length;
          if (name === 'deleteCheckpoint') counts.dynamoWrites++;
          counts.dynamoReads++;
        }
        const jobId = name === 'createJob' ? (args[0] as JobMeta).jobId : (args[0] as string);
        let result: unknown;
        try {
          result = await value.apply(target, args);
        } catch (error) {
          // A refused conditional write is billed like a write of the item it would have changed.
          if (name === 'commitLedger') {
            const stored = await target.readLedger(jobId);
            counts.dynamoWrites += writeUnits(stored ? ledgerSizeBytes(stored) : 200);
          }
          throw error;
        }
        switch (name) {
          case 'deleteAcks':
          case 'deleteCheckpoint':
            break;
          case 'commitLedger':
            counts.dynamoWrites += writeUnits(ledgerSizeBytes(result as JobLedger));
            break;
          case 'putAck':
            counts.dynamoWrites += writeUnits(ackSizeBytes(jobId, args[1] as ShardAck));
            break;
          case 'createJob':
          case 'updateJob':
          case 'allocateCheckpointId':
          case 'advanceLatestCheckpoint':
          case 'createCheckpoint':
          case 'transitionCheckpoint':
          case 'createCursor':
          case 'commitCursor':
          case 'replaceCursor':
            // Updates of META are billed by its whole size, the ledger included.
            counts.dynamoWrites += writeUnits(await metaOrItemSize(target, jobId, name, args));
            break;
          default:
            counts.dynamoReads += readUnits(readSizeBytes(jobId, name, result));
        }
        return result;
      };
    },
  });
}

async function metaOrItemSize(
  store: CheckpointStore,
  jobId: string,
  name: string,
  args: unknown[],
): Promise<number> {
  if (name === 'createCursor' || name === 'commitCursor' || name === 'replaceCursor') return 200;
  const ledger = await store.readLedger(jobId);
  if (name === 'createCheckpoint' || name === 'transitionCheckpoint') {
    const record = await store.getCheckpoint(
      jobId,
      name === 'createCheckpoint' ? (args[1] as CheckpointRecord).checkpointId : (args[1] as number),
    );
    if (record?.kind === 'SAVEPOINT') return checkpointSizeBytes(jobId, record);
  }
  return ledger ? ledgerSizeBytes(ledger) : 200;
}

function readSizeBytes(jobId: string, name: string, result: unknown): number {
  if (result === undefined || result === null) return 1;
  switch (name) {
    case 'readLedger':
      return ledgerSizeBytes(result as JobLedger);
    case 'getJob':
      return jobSizeBytes(result as JobMeta);
    case 'getCheckpoint':
    case 'listCheckpoints': {
      const records = (Array.isArray(result) ? result : [result]) as CheckpointRecord[];
      return records.reduce((sum, r) => sum + checkpointSizeBytes(jobId, r), 0);
    }
    case 'getAck':
    case 'listAcks': {
      const acks = (Array.isArray(result) ? result : [result]) as ShardAck[];
      return acks.reduce((sum, a) => sum + ackSizeBytes(jobId, a), 0);
    }
    case 'getCursor':
    case 'listCursors': {
      const cursors = (Array.isArray(result) ? result : [result]) as ShardCursor[];
      return cursors.reduce((sum, c) => sum + cursorSizeBytes(jobId, c), 0);
    }
    default:
      return 1;
  }
}

export function countingSnapshots(inner: SnapshotStore, counts: RequestCounts): SnapshotStore {
  return {
    put: (key, bytes, options) => {
      counts.s3Puts++;
      return inner.put(key, bytes, options);
    },
    get: (ref) => {
      counts.s3Gets++;
      return inner.get(ref);
    },
    getObject: (key) => {
      counts.s3Gets++;
      return inner.getObject(key);
    },
    delete: (keys) => inner.delete(keys),
    async *list(prefix) {
      counts.s3Lists++;
      yield* inner.list(prefix);
    },
  };
}

export function countingWriter(inner: StreamWriter, counts: RequestCounts): StreamWriter {
  return {
    streamName: inner.streamName,
    listShards: () => {
      counts.kinesisCalls++;
      return inner.listShards();
    },
    putToShards: (targets, data) => {
      counts.kinesisCalls++;
      counts.kinesisPutUnits += targets.length * Math.max(1, Math.ceil(data.length / 25_600));
      return inner.putToShards(targets, data);
    },
    retentionPeriodHours: () => inner.retentionPeriodHours(),
  };
}

export interface MonthlyCost {
  stepFunctionsUsd: number;
  lambdaUsd: number;
  dynamoUsd: number;
  kinesisUsd: number;
  s3Usd: number;
  totalUsd: number;
}

/** Scales what one simulated hour used to a month, at list prices. */
export function monthlyCost(hour: {
  transitions: number;
  lambdaGbSeconds: number;
  lambdaInvocations: number;
  requests: RequestCounts;
}): MonthlyCost {
  const m = HOURS_PER_MONTH;
  const r = hour.requests;
  const stepFunctionsUsd = hour.transitions * PRICES.stepFunctionsTransitionUsd * m;
  const lambdaUsd =
    (hour.lambdaGbSeconds * PRICES.lambdaGbSecondUsd + hour.lambdaInvocations * PRICES.lambdaRequestUsd) * m;
  const dynamoUsd =
    (r.dynamoWrites * PRICES.dynamoWriteUnitUsd + r.dynamoReads * PRICES.dynamoReadUnitUsd) * m;
  const kinesisUsd = r.kinesisPutUnits * PRICES.kinesisPutUnitUsd * m;
  const s3Usd = ((r.s3Puts + r.s3Lists) * PRICES.s3PutUsd + r.s3Gets * PRICES.s3GetUsd) * m;
  return {
    stepFunctionsUsd,
    lambdaUsd,
    dynamoUsd,
    kinesisUsd,
    s3Usd,
    totalUsd: stepFunctionsUsd + lambdaUsd + dynamoUsd + kinesisUsd + s3Usd,
  };
}
