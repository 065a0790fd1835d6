import type { AwsClients } from '../core/aws/clients.js';
import { compileConfig } from '../core/config/index.js';
import { clickCounter } from '../core/state/examples/click-counter.js';
import { awsParts, memoryParts, type PipelineParts } from '../local/pipeline/parts.js';
import { provisionResources, uniqueNames } from '../local/resources.js';
import { type InvocationTiming, LivePipeline, type LiveRunOptions, runLive } from './live-pipeline.js';
import { plainClickCounterHandler } from './plain-handler.js';
import { percentile, round, sleepMs, yieldToEventLoop } from './stats.js';
import { ChunkedClickProducer } from './workload.js';

export interface OverheadOptions {
  /** Net time the framework side runs in all (the 10 s checkpoint interval needs > 10 s to checkpoint). */
  frameworkRunMs: number;
  /** Net time of one framework turn; the plain side then processes as many records. */
  turnMs: number;
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
  /** At least frameworkRecords: the plain side catches up after every framework turn. */
  plainRecords: number;
  /** Framework/plain turn pairs the ratio sums over. */
  turns: number;
  checkpointsCompleted: number;
  coldStarts: number;
}

/** One side: its own in-memory stream fed by its own producer (same seed: same records). */
interface Lane {
  pipeline: LivePipeline;
  producer: ChunkedClickProducer;
  /** Wall time spent processing, production left out. */
  netMs: number;
}

/**
 * Records/s of the click counter through the event-source-mapping simulator on
 * in-memory ports: the framework (middy + checkpoint protocol, coordinator on the
 * wall clock, EXACTLY_ONCE) against the plain handler, on the same records. The two
 * take turns (a framework turn of `turnMs`, then the plain side catches up to the
 * same record count), so a change in the machine's load falls on both alike; each
 * side's rate is its records over the sum of its turns. Production time is left out.
 */
export async function measureOverhead(
  options: OverheadOptions,
  log: (line: string) => void = () => undefined,
): Promise<OverheadResult> {
  const config = benchConfig('overhead', options.intervalMs);
  const framework = lane(options, { operator: clickCounter, config });
  const plain = lane(options, { createContainer: () => plainClickCounterHandler() });
  let turns = 0;
  let nextLogMs = 5_000;
  try {
    while (framework.netMs < options.frameworkRunMs) {
      await turn(framework, options, (elapsedMs) => elapsedMs >= options.turnMs);
      await turn(plain, options, () => plain.pipeline.records >= framework.pipeline.records);
      turns++;
      if (framework.netMs >= nextLogMs) {
        nextLogMs += 5_000;
        log(
          `  overhead: ${framework.pipeline.records} records, framework ${rate(framework).toFixed(0)} records/s, ` +
            `plain ${rate(plain).toFixed(0)} records/s, ${framework.pipeline.coordinator.completed} checkpoints`,
        );
      }
    }
  } finally {
    framework.pipeline.stop();
    plain.pipeline.stop();
  }
  const frameworkRecordsPerSecond = rate(framework);
  const plainRecordsPerSecond = rate(plain);
  return {
    frameworkRecordsPerSecond: round(frameworkRecordsPerSecond, 0),
    plainRecordsPerSecond: round(plainRecordsPerSecond, 0),
    ratio: round(frameworkRecordsPerSecond / plainRecordsPerSecond, 3),
    frameworkRecords: framework.pipeline.records,
    plainRecords: plain.pipeline.records,
    turns,
    checkpointsCompleted: framework.pipeline.coordinator.completed,
    coldStarts: framework.pipeline.coldStarts,
  };
}

const rate = (l: Lane) => (l.pipeline.records / l.netMs) * 1_000;

function lane(
  options: OverheadOptions,
  side: Pick<LiveRunOptions, 'createContainer' | 'operator' | 'config'>,
): Lane {
  const parts = memoryParts(options.shards);
  return {
    pipeline: new LivePipeline({
      parts,
      batchSize: options.batchSize,
      maxContainers: options.shards,
      ...side,
    }),
    producer: new ChunkedClickProducer(parts.produce, options.users, 1),
    netMs: 0,
  };
}

/** Polls one lane until `done`, adding the time to the lane (production left out). */
async function turn(l: Lane, options: OverheadOptions, done: (elapsedMs: number) => boolean): Promise<void> {
  const startMs = performance.now();
  const productionBeforeMs = l.producer.productionMs;
  const net = () => performance.now() - startMs - (l.producer.productionMs - productionBeforeMs);
  for (let polls = 0; polls < 1_000_000; polls++) {
    await l.producer.keepAhead(l.pipeline.records, options.batchSize * options.shards * 4);
    const delivered = await l.pipeline.poll();
    if (done(net())) break;
    if (delivered === 0) await sleepMs(1);
    else await yieldToEventLoop();
  }
  l.netMs += net();
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
