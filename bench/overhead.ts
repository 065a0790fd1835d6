import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AwsClients } from '../core/aws/clients.js';
import { compileConfig } from '../core/config/index.js';
import { clickCounter } from '../core/state/examples/click-counter.js';
import { awsParts, type PipelineParts } from '../local/pipeline/parts.js';
import { provisionResources, uniqueNames } from '../local/resources.js';
import { type InvocationTiming, runLive } from './live-pipeline.js';
import type { LaneReply, LaneRequest } from './overhead-lane.js';
import { plainClickCounterHandler } from './plain-handler.js';
import { percentile, round } from './stats.js';
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

/**
 * Records/s of the click counter through the event-source-mapping simulator on
 * in-memory ports: the framework (middy + checkpoint protocol, coordinator on the
 * wall clock, EXACTLY_ONCE) against the plain handler, on the same records. Each
 * side runs in its own process (its own heap: see overhead-lane.ts), and they take
 * turns (a framework turn of `turnMs`, then the plain side catches up to the same
 * record count), so a change in the machine's load falls on both alike; each side's
 * rate is its records over the sum of its turns. Production time is left out.
 */
export async function measureOverhead(
  options: OverheadOptions,
  log: (line: string) => void = () => undefined,
): Promise<OverheadResult> {
  const framework = await Lane.start('framework', options);
  const plain = await Lane.start('plain', options);
  let turns = 0;
  let nextLogMs = 5_000;
  try {
    while (framework.last.netMs < options.frameworkRunMs) {
      await framework.turn({ type: 'turn', forMs: options.turnMs });
      await plain.turn({ type: 'turn', untilRecords: framework.last.records });
      turns++;
      if (framework.last.netMs >= nextLogMs) {
        nextLogMs += 5_000;
        log(
          `  overhead: ${framework.last.records} records, framework ${rate(framework).toFixed(0)} records/s, ` +
            `plain ${rate(plain).toFixed(0)} records/s, ${framework.last.checkpointsCompleted} checkpoints`,
        );
      }
    }
  } finally {
    framework.stop();
    plain.stop();
  }
  const frameworkRecordsPerSecond = rate(framework);
  const plainRecordsPerSecond = rate(plain);
  return {
    frameworkRecordsPerSecond: round(frameworkRecordsPerSecond, 0),
    plainRecordsPerSecond: round(plainRecordsPerSecond, 0),
    ratio: round(frameworkRecordsPerSecond / plainRecordsPerSecond, 3),
    frameworkRecords: framework.last.records,
    plainRecords: plain.last.records,
    turns,
    checkpointsCompleted: framework.last.checkpointsCompleted,
    coldStarts: framework.last.coldStarts,
  };
}

const rate = (lane: Lane) => (lane.last.records / lane.last.netMs) * 1_000;

const LANE = fileURLToPath(new URL('./overhead-lane.ts', import.meta.url));

/** A side's process (overhead-lane.ts) and the totals of its last turn. */
class Lane {
  last: Extract<LaneReply, { type: 'turn' }> = {
    type: 'turn',
    records: 0,
    netMs: 0,
    checkpointsCompleted: 0,
    coldStarts: 0,
  };
  private waiting: { resolve: (reply: LaneReply) => void; reject: (error: Error) => void } | undefined;

  private constructor(
    private readonly side: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (reply: LaneReply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve(reply);
    });
    child.on('exit', (code) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(new Error(`overhead lane ${side} exited with code ${code}`));
    });
  }

  static async start(side: 'framework' | 'plain', options: OverheadOptions): Promise<Lane> {
    const child = fork(LANE, [JSON.stringify({ side, options })], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const lane = new Lane(side, child);
    await lane.next();
    return lane;
  }

  async turn(request: Extract<LaneRequest, { type: 'turn' }>): Promise<void> {
    const reply = this.next();
    this.child.send(request);
    const answer = await reply;
    if (answer.type !== 'turn')
      throw new Error(`overhead lane ${this.side} answered ${answer.type} to a turn`);
    this.last = answer;
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.send({ type: 'stop' } satisfies LaneRequest);
  }

  private next(): Promise<LaneReply> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }
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
