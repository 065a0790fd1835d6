import type { CheckpointStore } from '../../core/ports/checkpoint-store.js';
import type { SnapshotStore } from '../../core/ports/snapshot-store.js';
import type { StreamWriter } from '../../core/ports/stream.js';
import { HOURS_PER_MONTH, PRICES } from './prices.js';

/** Billable requests as AWS counts them (an estimate: small items = 1 unit each). */
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

const STORE_WRITES = new Set([
  'createJob',
  'updateJob',
  'allocateCheckpointId',
  'advanceLatestCheckpoint',
  'createCheckpoint',
  'transitionCheckpoint',
  'putAck',
  'createCursor',
  'commitCursor',
  'replaceCursor',
]);

/** Wraps a CheckpointStore, counting DynamoDB request units per call (deletes per item). */
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
        } else if (STORE_WRITES.has(name)) counts.dynamoWrites++;
        else counts.dynamoReads++;
        return value.apply(target, args);
      };
    },
  });
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
