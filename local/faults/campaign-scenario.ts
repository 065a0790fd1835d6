import type { CoordinatorConfig } from '../../core/checkpoint/checkpoint-coordinator-view.js';
import { runCoordinatorStep } from '../../core/checkpoint/coordinator-step.js';
import { checkpointPrefix } from '../../core/checkpoint/storage-location.js';
import { MINIMAL_CHECKPOINT_TIME_MS } from '../../core/config/checkpointing-checks.js';
import { compileConfig } from '../../core/config/index.js';
import { CheckpointError } from '../../core/errors/index.js';
import type { CheckpointStore } from '../../core/ports/checkpoint-store.js';
import { CRASH_POINTS } from '../../core/processing/crash-points.js';
import type { ProcessorCoordinationOptions } from '../../core/processing/processor-coordination.js';
import { restoreCheckpoint } from '../../core/recovery/restore.js';
import { clickCounter } from '../../core/state/examples/click-counter.js';
import { EventSourceMappingSimulator, type KinesisHandler } from '../esm/event-source-mapping.js';
import { clickWorkload } from '../pipeline/click-workload.js';
import { CrashSchedule } from '../pipeline/crash-schedule.js';
import { twoPhaseCheckingSink, verifyAgainstInput } from '../pipeline/final-state.js';
import { flakyOperator } from '../pipeline/flaky-operator.js';
import { type CallPolicy, ManualCoordinator } from '../pipeline/manual-coordinator.js';
import type { PipelineParts } from '../pipeline/parts.js';
import { processorContainer } from '../pipeline/processor-container.js';
import { seededRandom } from '../pipeline/random.js';
import type { FaultPlan } from './fault-classes.js';

export const CAMPAIGN_CHECKPOINTS_PREFIX = 'checkpoints';

export interface CampaignScenarioOptions {
  /** The coordinator's and the auditor's view: no injected faults. */
  parts: PipelineParts;
  /** What the processors run on: the same resources behind fault-injecting wrappers. */
  processorParts: PipelineParts;
  /**
   * The coordinator's view of the checkpoint table (faults allowed): its calls are
   * retried on retryable errors, as the Step Functions task Retry does. Default: parts.store.
   */
  coordinatorStore?: CheckpointStore;
  /** Wraps the event source mapping's container factory (delivery faults). */
  wrapContainers?: (
    create: (containerId: string) => KinesisHandler,
  ) => (containerId: string) => KinesisHandler;
  jobId: string;
  records: number;
  users: number;
  seed: number;
  /** Crashes per named crash point (the CrashSchedule, composed with the port faults). */
  crashesPerPoint: number;
  memoryThresholdBytes: number;
  batchSize?: number;
  chunkSize?: number;
  transientRecordFailureRate?: number;
  onError?: (error: unknown, shardId: string) => void;
  /** Operator actions the fault plan may take (restore-while-pending). */
  plan?: FaultPlan;
  /**
   * The processors also run coordinator steps after their batches (a 10 ms interval,
   * so they trigger and complete checkpoints of their own between the scenario's
   * forced ones): the ledger's one-write steps meet the same faults and crashes.
   */
  processorsDrive?: boolean;
}

export interface CampaignScenarioResult {
  finalCheckpointId: number;
  lost: number;
  duplicated: number;
  mismatchedShards: string[];
  /** Expected outputs never written, unexpected ones, and ones released before their checkpoint completed. */
  outputMismatches: number;
  /** Set when the job's latest-checkpoint pointer does not name the newest COMPLETED checkpoint. */
  latestPointerLag?: string;
  checkpointsTriggered: number;
  checkpointsCompleted: number;
  /** Checkpoints the processors' own coordinator steps triggered and completed (processorsDrive). */
  processorSteps: { triggered: number; completed: number };
  crashes: number;
  failedInvocations: number;
}

/**
 * runExactlyOnceScenario (local/pipeline/exactly-once-scenario.ts) with the
 * coordinator and the processors on different views of the same resources:
 * faults are injected into the processors' ports only, as the coordinator's
 * Step Functions tasks retry their own failures. The checks are the same:
 * the final checkpoint's state against an independent recomputation.
 */
export async function runCampaignScenario(options: CampaignScenarioOptions): Promise<CampaignScenarioResult> {
  const { parts, jobId } = options;
  const random = seededRandom(options.seed);
  const workload = clickWorkload(options.records, options.users, random);
  const storagePrefixFor = (id: number) =>
    checkpointPrefix(CAMPAIGN_CHECKPOINTS_PREFIX, jobId, id).replace(/\/$/, '');
  const schedule = new CrashSchedule({
    points: CRASH_POINTS,
    crashesPerPoint: options.crashesPerPoint,
    maxVisitsBetweenCrashes: 4,
    random,
    beforeCrash: async (point, context) => {
      if (point !== 'mid-upload' || context.checkpointId === undefined) return;
      const key = `${storagePrefixFor(context.checkpointId)}/${context.shardId}-partial-${Math.floor(random() * 1e9)}.snap`;
      await parts.snapshots.put(key, new Uint8Array(64));
    },
  });
  const { sink, counts } = twoPhaseCheckingSink(parts, jobId, true);

  const coordinatorStore = options.coordinatorStore ?? parts.store;
  const coordination = options.processorsDrive
    ? processorsDriveOptions(parts, coordinatorStore, jobId, storagePrefixFor)
    : undefined;
  const createContainer = processorContainer({
    parts: options.processorParts,
    operator: options.transientRecordFailureRate
      ? flakyOperator(clickCounter, options.transientRecordFailureRate, random)
      : clickCounter,
    settings: {
      jobId,
      mode: 'EXACTLY_ONCE',
      memoryThresholdBytes: options.memoryThresholdBytes,
      compression: 'none',
    },
    faults: schedule,
    sink,
    reportBatchItemFailures: true,
    ...(coordination ? { coordination } : {}),
  });
  const esm = new EventSourceMappingSimulator({
    source: parts.source,
    createContainer: options.wrapContainers ? options.wrapContainers(createContainer) : createContainer,
    batchSize: options.batchSize ?? 50,
    random,
    coldStartRate: 0.05,
    maxConsecutiveErrors: 200,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const coordinator = new ManualCoordinator(
    {
      store: options.coordinatorStore ?? parts.store,
      writer: parts.writer,
      clock: parts.clock,
      snapshots: parts.snapshots,
    },
    jobId,
    storagePrefixFor,
    retried,
  );

  const chunkSize = options.chunkSize ?? 200;
  let rounds = 0;
  for (let offset = 0; offset < workload.records.length; offset += chunkSize) {
    await parts.produce(workload.records.slice(offset, offset + chunkSize));
    for (let i = 0; i < 3; i++) {
      await esm.pollOnce();
      if (++rounds % 3 === 0) {
        await coordinator.trigger();
        // An operator restores the latest completed checkpoint while this one is still pending.
        const latest = (await parts.store.getJob(jobId))?.latestCheckpointId;
        if (latest !== undefined && options.plan?.fires('restore-while-pending', 'restore while pending')) {
          await retried(() =>
            restoreCheckpoint(
              {
                store: options.coordinatorStore ?? parts.store,
                snapshots: parts.snapshots,
                writer: parts.writer,
                clock: parts.clock,
              },
              { jobId, checkpointId: latest },
            ),
          );
        }
      }
      await coordinator.completePending();
    }
  }

  // The final checkpoint is the scenario's own: the processors stop stepping first.
  if (coordination) coordination.settings.config = { ...coordination.settings.config, intervalMs: undefined };
  const finalId = await coordinator.finish(() => esm.drain(), `seed ${options.seed}`);

  const latestPointerLag = await checkLatestPointer(parts.store, jobId);
  const verdict = await verifyAgainstInput(
    parts,
    clickCounter,
    jobId,
    finalId,
    workload.expected,
    sink.writes,
  );
  if (coordination) {
    // What the supervisor does next: one step aborts the processors' checkpoints the
    // final one subsumed (they were left pending when the processors stopped) and
    // deletes their files.
    await retried(() => runCoordinatorStep(coordination.deps, coordination.settings));
  }
  return {
    finalCheckpointId: finalId,
    lost: verdict.lost,
    duplicated: verdict.duplicated,
    mismatchedShards: verdict.mismatchedShards,
    outputMismatches: verdict.missingOutputs + verdict.unexpectedOutputs + counts.releasedEarly,
    ...(latestPointerLag ? { latestPointerLag } : {}),
    checkpointsTriggered: coordinator.triggered,
    checkpointsCompleted: coordinator.completed,
    processorSteps: {
      triggered: coordination?.stats?.triggered ?? 0,
      completed: coordination?.stats?.completed ?? 0,
    },
    crashes: schedule.totalCrashes(),
    failedInvocations: esm.stats.failedInvocations,
  };
}

/** Step Functions' task Retry: the same call again on a retryable error, a bounded number of times. */
const retried: CallPolicy = async (call) => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof CheckpointError && error.retryable) || attempt >= 10) throw error;
    }
  }
};

/** The latest pointer must name the newest COMPLETED checkpoint once the coordinator is done. */
async function checkLatestPointer(store: CheckpointStore, jobId: string): Promise<string | undefined> {
  const newest = Math.max(
    ...(await store.listCheckpoints(jobId))
      .filter((r) => r.status === 'COMPLETED')
      .map((r) => r.checkpointId),
  );
  const latest = (await store.getJob(jobId))?.latestCheckpointId;
  if (latest === newest) return undefined;
  return `latest checkpoint pointer names ${latest} but checkpoint ${newest} is the newest COMPLETED one`;
}

/** The processors' coordinator steps, on the coordinator's (faulty) view of the table. */
function processorsDriveOptions(
  parts: PipelineParts,
  store: CheckpointStore,
  jobId: string,
  storagePrefixFor: (id: number) => string,
): ProcessorCoordinationOptions & { settings: { config: CoordinatorConfig } } {
  const config = compileConfig({
    jobId,
    checkpointsDir: `s3://campaign/${CAMPAIGN_CHECKPOINTS_PREFIX}`,
    intervalMs: MINIMAL_CHECKPOINT_TIME_MS,
  });
  return {
    deps: { store, snapshots: parts.snapshots, writer: parts.writer, clock: parts.clock },
    settings: { jobId, config, storagePrefixFor, abortedHistorySize: 10 },
    stats: { triggered: 0, completed: 0, aborted: 0, subsumed: 0 },
  };
}
