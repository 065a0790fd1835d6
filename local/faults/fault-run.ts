import type { AwsClients } from '../../core/aws/clients.js';
import { awsParts, memoryParts, type PipelineParts } from '../pipeline/parts.js';
import { randomInt, seededRandom } from '../pipeline/random.js';
import { provisionResources, uniqueNames } from '../resources.js';
import { auditStorage } from './campaign-audit.js';
import { runCampaignScenario } from './campaign-scenario.js';
import { type FaultClass, FaultPlan } from './fault-classes.js';
import { faultyCheckpointStore } from './faulty-checkpoint-store.js';
import { faultyContainers } from './faulty-containers.js';
import { FaultySnapshotStore } from './faulty-snapshot-store.js';
import { faultyStreamReader, skewedClock } from './faulty-stream-reader.js';

/** Where a run's ports live: in memory, or on the local emulators through the real SDK adapters. */
export type RunTarget = { kind: 'memory' } | { kind: 'emulators'; clients: AwsClients };

export interface FaultRunResult {
  faultClass: FaultClass;
  seed: number;
  target: RunTarget['kind'];
  records: number;
  shards: number;
  /** The processors also ran coordinator steps (one-write ledger steps) in this run. */
  processorsDrive: boolean;
  /** What the processors' own steps triggered and completed. */
  processorSteps: { triggered: number; completed: number };
  /** Faults that actually fired, by label. */
  injected: Record<string, number>;
  lost: number;
  duplicated: number;
  /** Shards whose final state differs from the failure-free run, plus output mismatches. */
  mismatches: number;
  orphans: number;
  unverified: number;
  /** The run could not finish (the pipeline gave up): a liveness failure, with its message. */
  error?: string;
  details: string[];
}

/** Per-call probability of each class: low enough that every run finishes within the ESM's retry bound. */
const PROBABILITY: Record<FaultClass, number> = {
  none: 0,
  'dynamodb-throttling': 0.04,
  'dynamodb-5xx': 0.04,
  'dynamodb-ambiguous-write': 0.1,
  'coordinator-ambiguous-write': 0.1,
  's3-5xx': 0.1,
  'snapshot-corruption': 0.15,
  'kinesis-iterator-expired': 0.2,
  'duplicate-delivery': 0.1,
  'zombie-invocation': 0.1,
  'clock-skew': 0,
  // Per trigger: an operator restores the latest completed checkpoint while one is pending.
  'restore-while-pending': 0.8,
};

export function failed(result: FaultRunResult): boolean {
  return (
    result.error !== undefined ||
    result.lost + result.duplicated + result.mismatches + result.orphans + result.unverified > 0
  );
}

/** One seeded run of one fault class, composed with one crash at every named crash point. */
export async function runFaultRun(
  faultClass: FaultClass,
  seed: number,
  target: RunTarget,
): Promise<FaultRunResult> {
  const sizes = seededRandom(seed ^ 0x9e3779b9);
  const onEmulators = target.kind === 'emulators';
  const records = randomInt(sizes, 300, onEmulators ? 500 : 800);
  const shards = randomInt(sizes, 1, onEmulators ? 2 : 4);
  // Snapshots go to S3 whenever S3 faults are the point of the run; else sometimes inline.
  const s3Bound = faultClass === 's3-5xx' || faultClass === 'snapshot-corruption';
  const memoryThresholdBytes = s3Bound || sizes() < 0.5 ? 0 : 1024;
  // Half the runs also let the processors drive the coordinator (ledger steps under the same faults).
  const processorsDrive = sizes() < 0.5;
  const plan = new FaultPlan(faultClass, seed, PROBABILITY[faultClass]);
  const parts = await buildParts(target, shards);
  const processorParts: PipelineParts = {
    ...parts,
    store: faultyCheckpointStore(parts.store, plan),
    snapshots: new FaultySnapshotStore(parts.snapshots, plan),
    reader: faultyStreamReader(parts.reader, plan),
    clock: skewedClock(parts.clock, plan.clockSkewMs()),
  };
  const jobId = 'fault-job';
  const base = { faultClass, seed, target: target.kind, records, shards, processorsDrive };
  try {
    const run = await runCampaignScenario({
      parts,
      processorParts,
      // The coordinator meets DynamoDB throttling and 5xx too (retried as Step Functions would);
      // its ambiguous writes are a class of their own.
      coordinatorStore: faultyCheckpointStore(parts.store, plan, 'coordinator-ambiguous-write'),
      wrapContainers: (create) => faultyContainers(create, plan),
      jobId,
      records,
      users: 40,
      seed,
      crashesPerPoint: 1,
      memoryThresholdBytes,
      transientRecordFailureRate: 0.002,
      plan,
      processorsDrive,
    });
    const audit = await auditStorage(parts, jobId);
    return {
      ...base,
      injected: Object.fromEntries(plan.injected),
      processorSteps: run.processorSteps,
      lost: run.lost,
      duplicated: run.duplicated,
      mismatches: run.mismatchedShards.length + run.outputMismatches + (run.latestPointerLag ? 1 : 0),
      orphans: audit.orphans,
      unverified: audit.unverified,
      details: [
        ...run.mismatchedShards.map((s) => `final state of ${s} differs from the failure-free run`),
        ...(run.outputMismatches > 0
          ? [`${run.outputMismatches} outputs missing, unexpected or released early`]
          : []),
        ...(run.latestPointerLag ? [run.latestPointerLag] : []),
        ...audit.unverifiedDetails,
      ],
    };
  } catch (error) {
    return {
      ...base,
      injected: Object.fromEntries(plan.injected),
      processorSteps: { triggered: 0, completed: 0 },
      lost: 0,
      duplicated: 0,
      mismatches: 0,
      orphans: 0,
      unverified: 0,
      error: error instanceof Error ? error.message : String(error),
      details: [],
    };
  }
}

async function buildParts(target: RunTarget, shards: number): Promise<PipelineParts> {
  if (target.kind === 'memory') return memoryParts(shards);
  const names = uniqueNames('faults');
  await provisionResources(target.clients, names, { shardCount: shards });
  return awsParts(target.clients, names);
}
