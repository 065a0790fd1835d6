import type { AwsClients } from '../core/aws/clients.js';
import { compileConfig } from '../core/config/index.js';
import { clickCounter } from '../core/state/examples/click-counter.js';
import { awsParts, memoryParts, type PipelineParts } from '../local/pipeline/parts.js';
import { provisionResources, uniqueNames } from '../local/resources.js';
import { type InvocationTiming, runLive } from './live-pipeline.js';
import { plainClickCounterHandler } from './plain-handler.js';
import { percentile, round } from './stats.js';
import { ChunkedClickProducer } from './workload.js';

export interface OverheadOptions {
  /** Wall time of each framework run (the 10 s checkpoint interval needs > 10 s to checkpoint). */
  frameworkRunMs: number;
  /** Alternating plain/framework rounds; the ratio uses the sums over all rounds. */
  rounds: number;
  shards: number;
  users: number;
  batchSize: number;
  intervalMs: number;
  /** Records for the emulator latency runs. */
  emulatorRecords: number;
}

export interface OverheadResult {
  frameworkRecordsPerSecond: number;
  plainRecordsPerSecond: number;
  /** framework / plain, both measured in this run. */
  ratio: number;
  frameworkRecords: number;
  checkpointsCompleted: number;
  coldStarts: number;
}

interface SideRun {
  records: number;
  netMs: number;
  checkpointsCompleted: number;
  coldStarts: number;
}

/**
 * Records/s of the click counter through the event-source-mapping simulator on
 * in-memory ports: the framework (middy + checkpoint protocol, coordinator on the
 * wall clock, EXACTLY_ONCE) against the plain handler, on the same records.
 * Production time is left out of both.
 */
export async function measureOverhead(
  options: OverheadOptions,
  log: (line: string) => void = () => undefined,
): Promise<OverheadResult> {
  const plain: SideRun[] = [];
  const framework: SideRun[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const fw = await runSide(options, 'framework', { durationMs: options.frameworkRunMs }, round);
    framework.push(fw);
    log(
      `  overhead round ${round + 1}: framework ${rate(fw).toFixed(0)} records/s ` +
        `(${fw.records} records, ${fw.checkpointsCompleted} checkpoints)`,
    );
    const pl = await runSide(options, 'plain', { records: fw.records }, round);
    plain.push(pl);
    log(`  overhead round ${round + 1}: plain ${rate(pl).toFixed(0)} records/s`);
  }
  const frameworkRecordsPerSecond = totalRate(framework);
  const plainRecordsPerSecond = totalRate(plain);
  return {
    frameworkRecordsPerSecond: round(frameworkRecordsPerSecond, 0),
    plainRecordsPerSecond: round(plainRecordsPerSecond, 0),
    ratio: round(frameworkRecordsPerSecond / plainRecordsPerSecond, 3),
    frameworkRecords: framework.reduce((a, r) => a + r.records, 0),
    checkpointsCompleted: framework.reduce((a, r) => a + r.checkpointsCompleted, 0),
    coldStarts: framework.reduce((a, r) => a + r.coldStarts, 0),
  };
}

const rate = (r: SideRun) => (r.records / r.netMs) * 1_000;
const totalRate = (runs: SideRun[]) =>
  (runs.reduce((a, r) => a + r.records, 0) / runs.reduce((a, r) => a + r.netMs, 0)) * 1_000;

async function runSide(
  options: OverheadOptions,
  side: 'framework' | 'plain',
  stop: { durationMs?: number; records?: number },
  seed: number,
): Promise<SideRun> {
  const parts = memoryParts(options.shards);
  const producer = new ChunkedClickProducer(parts.produce, options.users, seed + 1);
  const config = benchConfig(`overhead-${seed}`, options.intervalMs);
  let consumed = 0;
  const result = await runLive({
    parts,
    batchSize: options.batchSize,
    maxContainers: options.shards,
    ...(side === 'plain'
      ? { createContainer: () => plainClickCounterHandler() }
      : { operator: clickCounter, config }),
    beforePoll: () => producer.keepAhead(consumed, options.batchSize * options.shards * 4, stop.records),
    until: ({ records, elapsedMs }) => {
      consumed = records;
      if (stop.records !== undefined) return records >= stop.records;
      return elapsedMs - producer.productionMs >= stop.durationMs!;
    },
  });
  return {
    records: result.records,
    netMs: result.elapsedMs - producer.productionMs,
    checkpointsCompleted: result.coordinator.completed,
    coldStarts: result.coldStarts,
  };
}

export function benchConfig(jobId: string, intervalMs: number) {
  return compileConfig({ jobId, checkpointsDir: 's3://bench-bucket/checkpoints', intervalMs });
}

export interface BatchLatencyResult {
  /** Framework invocation time minus the plain handler's time for the same number of records. */
  addedMsP50: number;
  addedMsP99: number;
  frameworkMsP50: number;
  plainMsPerRecord: number;
  invocations: number;
  checkpointsCompleted: number;
}

/**
 * On the emulators: every framework invocation's duration minus what the plain
 * handler needed for as many records (its mean per record, measured in the same
 * run on the same stream source), p50 and p99 over all invocations.
 */
export async function measureBatchLatency(
  clients: AwsClients,
  options: Pick<OverheadOptions, 'shards' | 'users' | 'batchSize' | 'intervalMs' | 'emulatorRecords'> & {
    frameworkRunMs: number;
  },
): Promise<BatchLatencyResult> {
  const plainTimings = await emulatorSide(clients, options, 'plain');
  const fwTimings = await emulatorSide(clients, options, 'framework');
  const plainRecords = plainTimings.timings.reduce((a, t) => a + t.records, 0);
  const plainMs = plainTimings.timings.reduce((a, t) => a + t.durationMs, 0);
  const plainMsPerRecord = plainMs / Math.max(1, plainRecords);
  const added = fwTimings.timings.map((t) => t.durationMs - plainMsPerRecord * t.records);
  return {
    addedMsP50: round(percentile(added, 0.5), 2),
    addedMsP99: round(percentile(added, 0.99), 2),
    frameworkMsP50: round(
      percentile(
        fwTimings.timings.map((t) => t.durationMs),
        0.5,
      ),
      2,
    ),
    plainMsPerRecord: round(plainMsPerRecord, 4),
    invocations: fwTimings.timings.length,
    checkpointsCompleted: fwTimings.checkpointsCompleted,
  };
}

async function emulatorSide(
  clients: AwsClients,
  options: Pick<OverheadOptions, 'shards' | 'users' | 'batchSize' | 'intervalMs' | 'emulatorRecords'> & {
    frameworkRunMs: number;
  },
  side: 'framework' | 'plain',
): Promise<{ timings: InvocationTiming[]; checkpointsCompleted: number }> {
  const names = uniqueNames(`bench-${side}`);
  await provisionResources(clients, names, { shardCount: options.shards });
  const parts: PipelineParts = awsParts(clients, names);
  const producer = new ChunkedClickProducer(parts.produce, options.users, 7, 500);
  const timings: InvocationTiming[] = [];
  let consumed = 0;
  const startMs = performance.now();
  // The framework's records are spread over frameworkRunMs, so checkpoints fall mid-stream.
  const recordsPerMs =
    side === 'plain' ? Number.POSITIVE_INFINITY : options.emulatorRecords / options.frameworkRunMs;
  const result = await runLive({
    parts,
    batchSize: options.batchSize,
    maxContainers: options.shards,
    ...(side === 'plain'
      ? { createContainer: () => plainClickCounterHandler() }
      : { operator: clickCounter, config: benchConfig(`latency-${names.table}`, options.intervalMs) }),
    beforePoll: () =>
      producer.keepAhead(
        consumed,
        options.batchSize * options.shards * 2,
        Math.min(options.emulatorRecords, Math.ceil((performance.now() - startMs) * recordsPerMs) + 500),
      ),
    onInvocation: (t) => timings.push(t),
    idlePollMs: 50,
    until: ({ records, elapsedMs }) => {
      consumed = records;
      return records >= options.emulatorRecords || elapsedMs > 4 * options.frameworkRunMs;
    },
  });
  return { timings, checkpointsCompleted: result.coordinator.completed };
}
