/**
 * npm run verify:coordinator [-- --minutes 60 --shards 4 --memory-mb 128]
 *
 * Simulates an hour of the coordinator at a 1 s and a 60 s checkpoint interval:
 * the real state machine definition on the local executor, the real RunWindow
 * handler (the supervisor), processors acking barriers and running coordinator
 * steps after their batches through the event-source-mapping simulator (each
 * shard polled once a second, as Lambda's Kinesis poller does), all on a fake
 * clock over in-memory ports. Transitions come from the executor; the DynamoDB,
 * S3 and Kinesis requests of every coordinator step, the supervisor's and the
 * processors' alike, are counted at the coordinator's ports (the processors' own
 * per-batch protocol is not: it is paid with or without a coordinator); Lambda
 * GB-s from the simulated time spent in RunWindow (the processors' steps run in
 * invocations that happen anyway). Priced from local/cost/prices.ts.
 */
import { parseArgs } from 'node:util';
import { compileConfig } from '../core/config/index.js';
import { clickCounter } from '../core/state/examples/click-counter.js';
import {
  countingSnapshots,
  countingStore,
  countingWriter,
  emptyCounts,
  type MonthlyCost,
  monthlyCost,
  type RequestCounts,
} from '../local/cost/request-counter.js';
import { clickWorkload } from '../local/pipeline/click-workload.js';
import { CoordinatedPipeline, runPipelineStateMachine } from '../local/pipeline/coordinated-pipeline.js';
import { FakeClock } from '../local/pipeline/fake-clock.js';
import { memoryParts } from '../local/pipeline/parts.js';
import { seededRandom } from '../local/pipeline/random.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    shards: { type: 'string', default: '4' },
    'memory-mb': { type: 'string', default: '128' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run verify:coordinator -- [--minutes 60] [--shards 4] [--memory-mb 128]');
  process.exit(0);
}
const minutes = Number(values.minutes);
const shards = Number(values.shards);
const memoryGb = Number(values['memory-mb']) / 1024;
if (!(minutes > 0 && minutes <= 24 * 60) || !(shards >= 1 && shards <= 64) || !(memoryGb > 0)) {
  console.error('--minutes must be in (0, 1440], --shards in [1, 64], --memory-mb > 0');
  process.exit(2);
}

interface IntervalResult {
  intervalMs: number;
  transitionsPerHour: number;
  windowsPerHour: number;
  checkpointsPerHour: number;
  lambdaSecondsPerHour: number;
  requestsPerHour: RequestCounts;
  cost: MonthlyCost;
  maxHistoryEvents: number;
}

async function simulate(intervalMs: number): Promise<IntervalResult> {
  const clock = new FakeClock();
  const parts = memoryParts(shards, clock);
  const requests = emptyCounts();
  const config = compileConfig({
    jobId: `cost-${intervalMs}`,
    checkpointsDir: 's3://bucket/checkpoints',
    intervalMs,
  });
  const random = seededRandom(intervalMs);
  const pipeline = new CoordinatedPipeline({
    parts,
    clock,
    operator: clickCounter,
    config,
    produce: () => clickWorkload(2, 50, random).records,
    // Counted for the supervisor and for the processors' coordinator steps alike.
    coordinatorPorts: {
      store: countingStore(parts.store, requests),
      snapshots: countingSnapshots(parts.snapshots, requests),
      writer: countingWriter(parts.writer, requests),
    },
    pollIntervalMs: 1_000,
  });
  const durationMs = minutes * 60_000;
  let lastReport = clock.nowMs();
  const started = clock.nowMs();
  const result = await runPipelineStateMachine(pipeline, parts, clock, {
    durationMs,
    onWindow: () => {
      if (clock.nowMs() - lastReport >= 10 * 60_000) {
        lastReport = clock.nowMs();
        console.log(
          `  interval ${intervalMs} ms: simulated ${((clock.nowMs() - started) / 60_000).toFixed(0)} min`,
        );
      }
    },
  });
  const perHour = 3_600_000 / result.simulatedMs;
  const scale = (n: number) => n * perHour;
  const requestsPerHour = Object.fromEntries(
    Object.entries(requests).map(([k, v]) => [k, scale(v)]),
  ) as unknown as RequestCounts;
  const hour = {
    transitions: scale(result.transitions),
    lambdaGbSeconds: scale(result.runWindowMs / 1_000) * memoryGb,
    lambdaInvocations: scale(result.runWindowCalls),
    requests: requestsPerHour,
  };
  return {
    intervalMs,
    transitionsPerHour: hour.transitions,
    windowsPerHour: hour.lambdaInvocations,
    checkpointsPerHour: scale(pipeline.stats.completed),
    lambdaSecondsPerHour: scale(result.runWindowMs / 1_000),
    requestsPerHour,
    cost: monthlyCost(hour),
    maxHistoryEvents: Math.max(...result.executions.map((e) => e.historyEvents)),
  };
}

const results: IntervalResult[] = [];
for (const intervalMs of [1_000, 60_000]) {
  console.log(`simulating ${minutes} min at a ${intervalMs / 1000} s interval, ${shards} shards...`);
  results.push(await simulate(intervalMs));
}
const fmt = (n: number, digits = 2) => n.toFixed(digits);
console.log('');
console.log('| per hour (scaled) | 1 s | 60 s |');
console.log('|---|---|---|');
const row = (label: string, pick: (r: IntervalResult) => string) =>
  console.log(`| ${label} | ${results.map(pick).join(' | ')} |`);
row('checkpoints completed', (r) => fmt(r.checkpointsPerHour, 0));
row('state transitions', (r) => fmt(r.transitionsPerHour, 0));
row('RunWindow invocations', (r) => fmt(r.windowsPerHour, 0));
row('state transitions / checkpoint', (r) =>
  fmt(r.transitionsPerHour / Math.max(1, r.checkpointsPerHour), 3),
);
row('Lambda seconds', (r) => fmt(r.lambdaSecondsPerHour, 0));
row('DynamoDB writes', (r) => fmt(r.requestsPerHour.dynamoWrites, 0));
row('DynamoDB reads', (r) => fmt(r.requestsPerHour.dynamoReads, 0));
row('Kinesis PUT units', (r) => fmt(r.requestsPerHour.kinesisPutUnits, 0));
row(
  'S3 LIST + PUT / GET',
  (r) =>
    `${fmt(r.requestsPerHour.s3Lists + r.requestsPerHour.s3Puts, 0)} / ${fmt(r.requestsPerHour.s3Gets, 0)}`,
);
row('max history events / execution', (r) => String(r.maxHistoryEvents));
console.log('');
console.log('| USD per month | 1 s | 60 s |');
console.log('|---|---|---|');
for (const key of [
  'stepFunctionsUsd',
  'lambdaUsd',
  'dynamoUsd',
  'kinesisUsd',
  's3Usd',
  'totalUsd',
] as const) {
  row(key.replace('Usd', ''), (r) => fmt(r.cost[key]));
}
const [oneSecond, sixtySeconds] = results as [IntervalResult, IntervalResult];
console.log(
  `coordinator-cost: transitions-per-hour@1s=${fmt(oneSecond.transitionsPerHour, 0)} ` +
    `transitions-per-hour@60s=${fmt(sixtySeconds.transitionsPerHour, 0)} usd-per-month@1s=${fmt(oneSecond.cost.totalUsd)}`,
);
const ok = oneSecond.transitionsPerHour <= 3 * sixtySeconds.transitionsPerHour && oneSecond.cost.totalUsd < 5;
process.exit(ok ? 0 : 1);
