import type { AwsClients } from '../core/aws/clients.js';
import { clickCounter } from '../core/state/examples/click-counter.js';
import { PRICES } from '../local/cost/prices.js';
import {
  countingSnapshots,
  countingStore,
  countingWriter,
  emptyCounts,
  type RequestCounts,
} from '../local/cost/request-counter.js';
import { EventSourceMappingSimulator } from '../local/esm/event-source-mapping.js';
import { KinesisShardSource } from '../local/esm/shard-source.js';
import { CoordinatedPipeline, runPipelineStateMachine } from '../local/pipeline/coordinated-pipeline.js';
import { FakeClock } from '../local/pipeline/fake-clock.js';
import { awsParts, type PipelineParts } from '../local/pipeline/parts.js';
import { createStream, provisionResources, uniqueNames } from '../local/resources.js';
import { countDynamoRequests, createPeerTables, idempotentClickHandler } from './idempotency-peer.js';
import { benchConfig } from './overhead.js';
import { round } from './stats.js';
import { ChunkedClickProducer } from './workload.js';

export interface CostOptions {
  /** Records through the framework (simulated time at `recordsPerSecond`). */
  records: number;
  /** Records through the peer (every one costs DynamoDB round trips on the emulator). */
  peerRecords: number;
  recordsPerSecond: number;
  shards: number;
  batchSize: number;
  intervalMs: number;
  users: number;
}

/** Requests and list-price dollars per million records. */
export interface CostPerMillion {
  dynamoWrites: number;
  dynamoReads: number;
  s3Puts: number;
  s3Gets: number;
  s3Lists: number;
  kinesisCalls: number;
  kinesisPutUnits: number;
  stepFunctionsTransitions: number;
  usd: number;
}

export interface CostResult {
  framework: CostPerMillion;
  peer: CostPerMillion;
  /** peer DynamoDB write requests / framework DynamoDB write requests, per record. */
  writeRequestsRatio: number;
  frameworkCheckpoints: number;
  /** The simulated arrival rate the framework's figures assume. */
  frameworkRecordsPerSecond: number;
  frameworkInvocations: number;
  peerInvocations: number;
}

export async function measureCostPerMillion(
  clients: AwsClients,
  options: CostOptions,
  log: (line: string) => void = () => undefined,
): Promise<CostResult> {
  const ours = await frameworkCost(clients, options);
  log(`  cost: framework ${options.records} records, ${ours.checkpoints} checkpoints`);
  const peer = await peerCost(clients, options);
  log(`  cost: peer ${options.peerRecords} records`);
  return {
    framework: ours.perMillion,
    peer: peer.perMillion,
    writeRequestsRatio: round(peer.perMillion.dynamoWrites / ours.perMillion.dynamoWrites, 1),
    frameworkCheckpoints: ours.checkpoints,
    frameworkRecordsPerSecond: options.recordsPerSecond,
    frameworkInvocations: ours.invocations,
    peerInvocations: peer.invocations,
  };
}

/**
 * The framework on the emulators in simulated time: records arrive at
 * `recordsPerSecond`, the coordinator runs on the real state machine definition
 * (transitions counted by the executor), every processor and coordinator request
 * to DynamoDB, S3 and Kinesis is counted at the ports.
 */
async function frameworkCost(clients: AwsClients, options: CostOptions) {
  const names = uniqueNames('bench-cost');
  await provisionResources(clients, names, { shardCount: options.shards });
  const clock = new FakeClock();
  const real = awsParts(clients, names, clock);
  const counts = emptyCounts();
  const parts: PipelineParts = {
    ...real,
    store: countingStore(real.store, counts),
    snapshots: countingSnapshots(real.snapshots, counts),
    writer: countingWriter(real.writer, counts),
  };
  const producer = new ChunkedClickProducer(real.produce, options.users, 11, 1_000);
  const startMs = clock.nowMs();
  const fullPoll = options.shards * options.batchSize;
  const durationMs = (options.records / options.recordsPerSecond) * 1_000;
  let pipeline: CoordinatedPipeline | undefined;
  pipeline = new CoordinatedPipeline({
    parts,
    clock,
    operator: clickCounter,
    config: benchConfig(`cost-${names.table}`, options.intervalMs),
    esm: { batchSize: options.batchSize },
    // One RunWindow for the whole (short) run: a deployment runs 10-minute windows, so
    // transitions per record are overstated here, never understated.
    settings: { windowMs: durationMs },
    onTick: async () => {
      const due = Math.floor(((clock.nowMs() - startMs) * options.recordsPerSecond) / 1_000);
      while (producer.produced < Math.min(due, options.records)) {
        await producer.keepAhead(producer.produced, 1, Math.min(due, options.records));
      }
      // Lambda's poller takes full batches while records wait: poll until a round is not full.
      while ((await pipeline!.esm.pollOnce()) >= fullPoll) {}
    },
  });
  const run = await runPipelineStateMachine(pipeline, parts, clock, { durationMs });
  await pipeline.esm.drain();
  const perMillion = priced(counts, run.transitions, 1_000_000 / producer.produced);
  return { perMillion, checkpoints: pipeline.stats.completed, invocations: pipeline.esm.stats.invocations };
}

/** The Powertools idempotency peer on the same emulators, same batch size and shard count. */
async function peerCost(clients: AwsClients, options: CostOptions) {
  const names = uniqueNames('bench-peer');
  const tables = { idempotency: `${names.table}-idem`, clicks: `${names.table}-clicks` };
  await Promise.all([
    createStream(clients, names.stream, options.shards),
    createPeerTables(clients.dynamodb, tables),
  ]);
  const parts = awsParts(clients, names);
  const producer = new ChunkedClickProducer(parts.produce, options.users, 11, 1_000);
  while (producer.produced < options.peerRecords)
    await producer.keepAhead(producer.produced, 1, options.peerRecords);
  const calls = countDynamoRequests(clients.dynamodb);
  try {
    const esm = new EventSourceMappingSimulator({
      source: new KinesisShardSource(clients.kinesis, names.stream),
      createContainer: () => idempotentClickHandler(clients.dynamodb, tables),
      batchSize: options.batchSize,
      maxConsecutiveErrors: 10,
    });
    await esm.drain();
    const counts = emptyCounts();
    counts.dynamoWrites =
      (calls.get('PutItemCommand') ?? 0) +
      (calls.get('UpdateItemCommand') ?? 0) +
      (calls.get('DeleteItemCommand') ?? 0);
    counts.dynamoReads = calls.get('GetItemCommand') ?? 0;
    return {
      perMillion: priced(counts, 0, 1_000_000 / producer.produced),
      invocations: esm.stats.invocations,
    };
  } finally {
    clients.dynamodb.middlewareStack.remove('benchRequestCounter');
  }
}

function priced(counts: RequestCounts, transitions: number, scale: number): CostPerMillion {
  const s = (n: number) => round(n * scale, 0);
  const usd =
    (counts.dynamoWrites * PRICES.dynamoWriteUnitUsd +
      counts.dynamoReads * PRICES.dynamoReadUnitUsd +
      (counts.s3Puts + counts.s3Lists) * PRICES.s3PutUsd +
      counts.s3Gets * PRICES.s3GetUsd +
      counts.kinesisPutUnits * PRICES.kinesisPutUnitUsd +
      transitions * PRICES.stepFunctionsTransitionUsd) *
    scale;
  return {
    dynamoWrites: s(counts.dynamoWrites),
    dynamoReads: s(counts.dynamoReads),
    s3Puts: s(counts.s3Puts),
    s3Gets: s(counts.s3Gets),
    s3Lists: s(counts.s3Lists),
    kinesisCalls: s(counts.kinesisCalls),
    kinesisPutUnits: s(counts.kinesisPutUnits),
    stepFunctionsTransitions: s(transitions),
    usd: round(usd, 4),
  };
}
