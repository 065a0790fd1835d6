import { checkpointPrefix } from '../../core/checkpoint/storage-location.js';
import type { CrashPoint } from '../../core/processing/crash-points.js';
import type { CheckpointingMode } from '../../core/processing/types.js';
import { clickCounter } from '../../core/state/examples/click-counter.js';
import { EventSourceMappingSimulator, type EventSourceMappingStats } from '../esm/event-source-mapping.js';
import { clickWorkload } from './click-workload.js';
import { CrashSchedule } from './crash-schedule.js';
import { twoPhaseCheckingSink, verifyAgainstInput } from './final-state.js';
import { flakyOperator } from './flaky-operator.js';
import { ManualCoordinator } from './manual-coordinator.js';
import type { PipelineParts } from './parts.js';
import { processorContainer } from './processor-container.js';
import { seededRandom } from './random.js';

export interface ExactlyOnceScenarioOptions {
  parts: PipelineParts;
  jobId: string;
  records: number;
  users: number;
  seed: number;
  crashPoints: readonly CrashPoint[];
  crashesPerPoint: number;
  maxVisitsBetweenCrashes?: number;
  batchSize?: number;
  /** Records produced between polling rounds. */
  chunkSize?: number;
  checkpointEveryRounds?: number;
  coldStartRate?: number;
  memoryThresholdBytes?: number;
  mode?: CheckpointingMode;
  reportBatchItemFailures?: boolean;
  /** Probability that user code throws on a record (once per record), after half-updating state. */
  transientRecordFailureRate?: number;
  onProgress?: (line: string) => void;
  onError?: (error: unknown, shardId: string) => void;
}

export interface OutputCheck {
  /** Outputs the failure-free run emits. */
  expected: number;
  /** Expected outputs never written to the sink (must be 0 in both modes). */
  missing: number;
  /** Ids written that the failure-free run never emits, or with another value (must be 0). */
  unexpected: number;
  /** Extra writes of an id already written (at-least-once may have them; exactly-once only rewrites the same id). */
  duplicates: number;
  /** EXACTLY_ONCE only: outputs written before a checkpoint covering them completed (must be 0). */
  releasedEarly: number;
}

export interface ExactlyOnceResult {
  seed: number;
  records: number;
  crashes: Record<string, number>;
  totalCrashes: number;
  missedPoints: CrashPoint[];
  lost: number;
  duplicated: number;
  mismatchedShards: string[];
  checkpointsTriggered: number;
  checkpointsCompleted: number;
  outputs: OutputCheck;
  esm: EventSourceMappingStats;
}

const CHECKPOINTS_PREFIX = 'checkpoints';

/**
 * Runs the click-counter through the real protocol under a seeded crash schedule
 * (every named crash point), with periodic checkpoints, then compares the state
 * of a final checkpoint with an independent recomputation from the input.
 */
export async function runExactlyOnceScenario(
  options: ExactlyOnceScenarioOptions,
): Promise<ExactlyOnceResult> {
  const { parts, jobId } = options;
  const random = seededRandom(options.seed);
  const workload = clickWorkload(options.records, options.users, random);
  const storagePrefixFor = (id: number) => checkpointPrefix(CHECKPOINTS_PREFIX, jobId, id).replace(/\/$/, '');
  const schedule = new CrashSchedule({
    points: options.crashPoints,
    crashesPerPoint: options.crashesPerPoint,
    maxVisitsBetweenCrashes: options.maxVisitsBetweenCrashes ?? 4,
    random,
    // A crash mid-upload leaves half an object behind, as a killed multipart upload would.
    beforeCrash: async (point, context) => {
      if (point !== 'mid-upload' || context.checkpointId === undefined) return;
      const key = `${storagePrefixFor(context.checkpointId)}/${context.shardId}-partial-${Math.floor(random() * 1e9)}.snap`;
      await parts.snapshots.put(key, new Uint8Array(64));
    },
  });
  const mode = options.mode ?? 'EXACTLY_ONCE';
  const { sink, counts } = twoPhaseCheckingSink(parts, jobId, mode === 'EXACTLY_ONCE');

  const esm = new EventSourceMappingSimulator({
    source: parts.source,
    createContainer: processorContainer({
      parts,
      operator: options.transientRecordFailureRate
        ? flakyOperator(clickCounter, options.transientRecordFailureRate, random)
        : clickCounter,
      settings: {
        jobId,
        mode,
        memoryThresholdBytes: options.memoryThresholdBytes ?? 1024,
        compression: 'none',
      },
      faults: schedule,
      sink,
      reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    }),
    batchSize: options.batchSize ?? 100,
    random,
    coldStartRate: options.coldStartRate ?? 0.05,
    maxConsecutiveErrors: 200,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const coordinator = new ManualCoordinator(
    { store: parts.store, writer: parts.writer, clock: parts.clock, snapshots: parts.snapshots },
    jobId,
    storagePrefixFor,
  );

  const chunkSize = options.chunkSize ?? 500;
  const every = options.checkpointEveryRounds ?? 4;
  let rounds = 0;
  for (let offset = 0; offset < workload.records.length; offset += chunkSize) {
    await parts.produce(workload.records.slice(offset, offset + chunkSize));
    for (let i = 0; i < 3; i++) {
      await esm.pollOnce();
      if (++rounds % every === 0) await coordinator.trigger();
      await coordinator.completePending();
    }
    options.onProgress?.(
      `produced=${Math.min(offset + chunkSize, workload.records.length)} delivered=${esm.stats.deliveredRecords} ` +
        `checkpoints=${coordinator.completed}/${coordinator.triggered} crashes=${schedule.totalCrashes()}`,
    );
  }

  const finalId = await coordinator.finish(() => esm.drain(), `seed ${options.seed}`);

  const verdict = await verifyAgainstInput(
    parts,
    clickCounter,
    jobId,
    finalId,
    workload.expected,
    sink.writes,
  );
  const outputs: OutputCheck = {
    expected: verdict.expectedOutputs,
    missing: verdict.missingOutputs,
    unexpected: verdict.unexpectedOutputs,
    duplicates: sink.duplicateCount(),
    releasedEarly: counts.releasedEarly,
  };
  return {
    seed: options.seed,
    outputs,
    records: options.records,
    crashes: Object.fromEntries(schedule.crashes),
    totalCrashes: schedule.totalCrashes(),
    missedPoints: schedule.missedPoints(),
    lost: verdict.lost,
    duplicated: verdict.duplicated,
    mismatchedShards: verdict.mismatchedShards,
    checkpointsTriggered: coordinator.triggered,
    checkpointsCompleted: coordinator.completed,
    esm: esm.stats,
  };
}
