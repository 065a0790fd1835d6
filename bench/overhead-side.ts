/**
 * npm run bench:side -- <framework|plain> [runMs]
 *
 * One side of the overhead comparison alone (the bench's quick settings: 4
 * shards, coordinator on the wall clock for the framework), for profiling:
 *   npx node --cpu-prof --import tsx bench/overhead-side.ts framework 12000
 * Prints records/s net of production time.
 */
import { parseArgs } from 'node:util';
import { clickCounter } from '../core/state/examples/click-counter.js';
import { memoryParts } from '../local/pipeline/parts.js';
import { runLive } from './live-pipeline.js';
import { benchConfig } from './overhead.js';
import { plainClickCounterHandler } from './plain-handler.js';
import { BENCH_SETTINGS } from './settings.js';
import { ChunkedClickProducer } from './workload.js';

const { positionals } = parseArgs({ allowPositionals: true });
const side = positionals[0] ?? 'framework';
if (side !== 'framework' && side !== 'plain') throw new Error(`expected framework or plain, found ${side}`);
const runMs = Number(positionals[1] ?? 12_000);
const { shards, users, batchSize, intervalMs } = BENCH_SETTINGS.quick.overhead;

const parts = memoryParts(shards);
const producer = new ChunkedClickProducer(parts.produce, users, 1);
let consumed = 0;
const result = await runLive({
  parts,
  batchSize,
  maxContainers: shards,
  ...(side === 'plain'
    ? { createContainer: () => plainClickCounterHandler() }
    : { operator: clickCounter, config: benchConfig('side', intervalMs) }),
  beforePoll: () => producer.keepAhead(consumed, batchSize * shards * 4),
  until: ({ records, elapsedMs }) => {
    consumed = records;
    return elapsedMs - producer.productionMs >= runMs;
  },
});
const netMs = result.elapsedMs - producer.productionMs;
console.log(
  `${side}: ${((result.records / netMs) * 1_000).toFixed(0)} records/s (${result.records} records, ` +
    `${result.coordinator.completed} checkpoints)`,
);
process.exit(0);
