/**
 * One side of the overhead comparison in its own process (spawned by
 * bench/overhead.ts), so each side's garbage is collected in its own heap: in one
 * process, a collection set off by one side's allocations would run during the
 * other side's turn and be charged to it. argv[2] = {"side": "framework"|"plain",
 * "options": OverheadOptions}. Over IPC it answers {type: "ready"}, then runs a turn
 * per message ({type: "turn", forMs} or {type: "turn", untilRecords}) and answers
 * {type: "turn", records, netMs, checkpointsCompleted, coldStarts}; {type: "stop"} ends it.
 */
import { clickCounter } from '../core/state/examples/click-counter.js';
import { memoryParts } from '../local/pipeline/parts.js';
import { LivePipeline } from './live-pipeline.js';
import { benchConfig, type OverheadOptions } from './overhead.js';
import { plainClickCounterHandler } from './plain-handler.js';
import { sleepMs, yieldToEventLoop } from './stats.js';
import { ChunkedClickProducer } from './workload.js';

export type LaneRequest = { type: 'turn'; forMs?: number; untilRecords?: number } | { type: 'stop' };
export type LaneReply =
  | { type: 'ready' }
  | { type: 'turn'; records: number; netMs: number; checkpointsCompleted: number; coldStarts: number };

const { side, options } = JSON.parse(process.argv[2] ?? '{}') as {
  side: 'framework' | 'plain';
  options: OverheadOptions;
};
const parts = memoryParts(options.shards);
const pipeline = new LivePipeline({
  parts,
  batchSize: options.batchSize,
  maxContainers: options.shards,
  ...(side === 'plain'
    ? { createContainer: () => plainClickCounterHandler() }
    : { operator: clickCounter, config: benchConfig('overhead', options.intervalMs) }),
});
// Same seed on both sides: the same records.
const producer = new ChunkedClickProducer(parts.produce, options.users, 1);
let netMs = 0;

/** Polls until `done`, adding the time to the side's total (production left out). */
async function turn(done: (elapsedMs: number) => boolean): Promise<void> {
  const startMs = performance.now();
  const productionBeforeMs = producer.productionMs;
  const net = () => performance.now() - startMs - (producer.productionMs - productionBeforeMs);
  for (let polls = 0; polls < 1_000_000; polls++) {
    await producer.keepAhead(pipeline.records, options.batchSize * options.shards * 4);
    const delivered = await pipeline.poll();
    if (done(net())) break;
    if (delivered === 0) await sleepMs(1);
    else await yieldToEventLoop();
  }
  netMs += net();
}

const reply = (message: LaneReply) => process.send?.(message);
process.on('message', (request: LaneRequest) => {
  if (request.type === 'stop') {
    pipeline.stop();
    process.exit(0);
  }
  const { forMs, untilRecords } = request;
  turn((elapsedMs) =>
    untilRecords !== undefined ? pipeline.records >= untilRecords : elapsedMs >= (forMs ?? 0),
  ).then(
    () =>
      reply({
        type: 'turn',
        records: pipeline.records,
        netMs,
        checkpointsCompleted: pipeline.coordinator.completed,
        coldStarts: pipeline.coldStarts,
      }),
    (error: unknown) => {
      console.error(`overhead lane ${side} failed:`, error);
      process.exit(2);
    },
  );
});
reply({ type: 'ready' });
