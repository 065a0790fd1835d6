/**
 * npm run bench:routing [-- <seconds per side>]
 *
 * Lambda does not keep a shard on one container: an invocation lands on any free
 * warm one. This runs the click counter (4 shards, batch size 100, EXACTLY_ONCE,
 * 10 s interval, coordinator alongside, in-memory ports) with each shard's batches
 * on the container that last ran the shard ('shard': the best case) and on a
 * container picked at random ('any'), and prints records/s for both and how the
 * 'any' side got its state: warm, caught up from its own older state (replaying
 * what other containers committed since), or cold (snapshot + replay).
 * Prints `routing: shard=<r> any=<r> ratio=<any/shard> catch-ups=<n> cold=<n>`.
 */
import { parseArgs } from 'node:util';
import { clickCounter } from '../core/state/examples/click-counter.js';
import { memoryParts } from '../local/pipeline/parts.js';
import { runLive } from './live-pipeline.js';
import { benchConfig } from './overhead.js';
import { BENCH_SETTINGS } from './settings.js';
import { ChunkedClickProducer } from './workload.js';

const { positionals } = parseArgs({ allowPositionals: true });
const runMs = Number(positionals[0] ?? 10) * 1_000;
const { shards, users, batchSize, intervalMs } = BENCH_SETTINGS.quick.overhead;

async function side(containerAffinity: 'shard' | 'any') {
  const parts = memoryParts(shards);
  const producer = new ChunkedClickProducer(parts.produce, users, 1);
  const events = { 'warm-catch-up': 0, 'shard-restored': 0, 'stale-warm-state': 0 };
  let consumed = 0;
  const result = await runLive({
    parts,
    batchSize,
    maxContainers: shards,
    containerAffinity,
    operator: clickCounter,
    config: benchConfig(`routing-${containerAffinity}`, intervalMs),
    log: (event) => {
      if (event in events) events[event as keyof typeof events]++;
    },
    beforePoll: () => producer.keepAhead(consumed, batchSize * shards * 4),
    until: ({ records, elapsedMs }) => {
      consumed = records;
      return elapsedMs - producer.productionMs >= runMs;
    },
  });
  const recordsPerSecond = (result.records / (result.elapsedMs - producer.productionMs)) * 1_000;
  console.log(
    `  ${containerAffinity}: ${recordsPerSecond.toFixed(0)} records/s, ${result.invocations} invocations, ` +
      `catch-ups ${events['warm-catch-up']}, snapshot restores ${events['shard-restored']}, ` +
      `stale at commit ${events['stale-warm-state']}`,
  );
  return { recordsPerSecond, events };
}

const shard = await side('shard');
const any = await side('any');
console.log(
  `routing: shard=${shard.recordsPerSecond.toFixed(0)} any=${any.recordsPerSecond.toFixed(0)} ` +
    `ratio=${(any.recordsPerSecond / shard.recordsPerSecond).toFixed(3)} ` +
    `catch-ups=${any.events['warm-catch-up']} cold=${any.events['shard-restored']}`,
);
process.exit(0);
