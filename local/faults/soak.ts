import { compileConfig } from '../../core/config/index.js';
import type { MemoryCheckpointStore } from '../../core/memory/memory-checkpoint-store.js';
import type { MemorySnapshotStore } from '../../core/memory/memory-snapshot-store.js';
import { CRASH_POINTS } from '../../core/processing/crash-points.js';
import { clickCounter } from '../../core/state/examples/click-counter.js';
import { clickWorkload } from '../pipeline/click-workload.js';
import { CoordinatedPipeline, runPipelineStateMachine } from '../pipeline/coordinated-pipeline.js';
import { CrashSchedule } from '../pipeline/crash-schedule.js';
import { FakeClock } from '../pipeline/fake-clock.js';
import { memoryParts } from '../pipeline/parts.js';
import { seededRandom } from '../pipeline/random.js';

export interface SoakOptions {
  /** Wall-clock budget. */
  minutes: number;
  seed: number;
  log: (line: string) => void;
}

export interface SoakResult {
  simulatedHours: number;
  checkpoints: number;
  crashes: number;
  /** Largest item / object counts seen after the first simulated hour (warm-up). */
  maxItems: number;
  maxObjects: number;
  firstHourItems: number;
  firstHourObjects: number;
  maxHistoryEvents: number;
  bounded: boolean;
}

/** Storage may wobble (pending checkpoints, aborted history) but must not trend up. */
const SLACK = 2;

/**
 * Keeps checkpoints going for a long simulated time (crashes included) on the
 * real state machine definition and checks invariant 5: DynamoDB items and S3
 * objects stay bounded by retention + GC, and no execution nears the history limit.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const clock = new FakeClock();
  const parts = memoryParts(4, clock);
  const random = seededRandom(options.seed);
  const config = compileConfig({
    jobId: 'soak',
    checkpointsDir: 's3://bucket/checkpoints',
    intervalMs: 5_000,
    numRetainedCheckpoints: 2,
    timeoutMs: 20_000,
    tolerableFailedCheckpoints: 1_000,
    memoryThresholdBytes: 512,
  });
  const crashes = new CrashSchedule({
    points: CRASH_POINTS,
    crashesPerPoint: 1e9,
    maxVisitsBetweenCrashes: 400,
    random,
  });
  const pipeline = new CoordinatedPipeline({
    parts,
    clock,
    operator: clickCounter,
    config,
    faults: crashes,
    esm: { random, coldStartRate: 0.01 },
    produce: (tick) => (tick % 2 === 0 ? clickWorkload(5, 300, random).records : []),
  });
  const store = parts.store as MemoryCheckpointStore;
  const snapshots = parts.snapshots as MemorySnapshotStore;
  const deadline = Date.now() + options.minutes * 60_000;
  let hours = 0;
  let maxHistoryEvents = 0;
  let firstHourItems = 0;
  let firstHourObjects = 0;
  let maxItems = 0;
  let maxObjects = 0;
  for (; Date.now() < deadline && hours < 10_000; hours++) {
    const result = await runPipelineStateMachine(pipeline, parts, clock, { durationMs: 3_600_000 });
    maxHistoryEvents = Math.max(maxHistoryEvents, ...result.executions.map((e) => e.historyEvents));
    const items = Object.keys(store.dump()).length;
    const objects = snapshots.keys().length;
    if (hours === 0) {
      firstHourItems = items;
      firstHourObjects = objects;
    } else {
      maxItems = Math.max(maxItems, items);
      maxObjects = Math.max(maxObjects, objects);
    }
    options.log(
      `soak: hour ${hours + 1}: checkpoints=${pipeline.stats.completed} aborted=${pipeline.stats.aborted} ` +
        `items=${items} objects=${objects} crashes=${crashes.totalCrashes()} history-events<=${maxHistoryEvents}`,
    );
  }
  const bounded =
    maxItems <= Math.max(firstHourItems * SLACK, firstHourItems + 20) &&
    maxObjects <= Math.max(firstHourObjects * SLACK, firstHourObjects + 20) &&
    maxHistoryEvents < 25_000;
  return {
    simulatedHours: hours,
    checkpoints: pipeline.stats.completed,
    crashes: crashes.totalCrashes(),
    maxItems,
    maxObjects,
    firstHourItems,
    firstHourObjects,
    maxHistoryEvents,
    bounded,
  };
}
