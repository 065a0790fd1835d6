/**
 * npm run bench:paired [-- <records>]
 *
 * Per-record CPU of the click counter as the plain handler and through the
 * framework's container (middy + checkpoint protocol, EXACTLY_ONCE, in-memory
 * ports), on the same batches of one in-memory shard. The two alternate every
 * few batches and each side's CPU time (process.cpuUsage) is summed, so the
 * noise of a shared machine falls on both alike. No coordinator runs: no
 * barriers, so this is the per-record path alone; `npm run bench` measures
 * the whole with checkpoints. Prints `paired: plain=<us> framework=<us> ratio=<r>`.
 * For a profile of one side, see bench/overhead-side.ts.
 */
import { parseArgs } from 'node:util';
import { toKinesisEvent } from '../core/middy/kinesis-event.js';
import { clickCounter } from '../core/state/examples/click-counter.js';
import type { KinesisHandler } from '../local/esm/event-source-mapping.js';
import { lambdaContext } from '../local/esm/lambda-context.js';
import { clickWorkload } from '../local/pipeline/click-workload.js';
import { memoryParts } from '../local/pipeline/parts.js';
import { processorContainer } from '../local/pipeline/processor-container.js';
import { seededRandom } from '../local/pipeline/random.js';
import { benchConfig } from './overhead.js';
import { plainClickCounterHandler } from './plain-handler.js';
import { BENCH_SETTINGS } from './settings.js';

const { positionals } = parseArgs({ allowPositionals: true });
const records = Number(positionals[0] ?? 400_000);
const { shards, users, batchSize, intervalMs } = BENCH_SETTINGS.quick.overhead;
const BATCHES_PER_TURN = 20;
const SHARD_ID = 'shardId-000000000000';

const parts = memoryParts(1);
// One shard sees the share of users and the event-time pace of one of the bench's shards.
const clicks = clickWorkload(records, Math.ceil(users / shards), seededRandom(1), 1_700_000_000_000);
await parts.produce(clicks.records.map((r) => ({ partitionKey: r.partitionKey, data: stretchTime(r.data) })));

interface Side {
  handler: KinesisHandler;
  position: string | undefined;
  cpuUs: number;
  records: number;
}
const config = benchConfig('paired', intervalMs);
const plain: Side = { handler: plainClickCounterHandler(), position: undefined, cpuUs: 0, records: 0 };
const framework: Side = {
  handler: processorContainer({
    parts,
    operator: clickCounter,
    settings: {
      jobId: config.jobId,
      mode: config.mode,
      memoryThresholdBytes: config.memoryThresholdBytes,
      compression: config.snapshotCompression,
    },
  })('container-1'),
  position: undefined,
  cpuUs: 0,
  records: 0,
};
const context = lambdaContext('processor', 60_000, 'paired');
for (let progressed = true; progressed; ) {
  progressed = false;
  for (const side of [plain, framework]) {
    const before = process.cpuUsage();
    for (let i = 0; i < BATCHES_PER_TURN; i++) {
      const batch = parts.stream.recordsAfter(SHARD_ID, side.position, batchSize);
      if (batch.length === 0) break;
      progressed = true;
      await side.handler(
        toKinesisEvent(batch, 'arn:aws:kinesis:us-east-1:000000000000:stream/paired'),
        context,
      );
      side.position = batch[batch.length - 1]!.sequenceNumber;
      side.records += batch.length;
    }
    const spent = process.cpuUsage(before);
    side.cpuUs += spent.user + spent.system;
  }
}
const perRecord = (side: Side) => side.cpuUs / side.records;
console.log(
  `paired: plain=${perRecord(plain).toFixed(2)}us framework=${perRecord(framework).toFixed(2)}us ` +
    `ratio=${(perRecord(plain) / perRecord(framework)).toFixed(3)} records=${framework.records}`,
);

/** clickWorkload paces event time for the whole stream; one of `shards` shards sees it `shards` times faster. */
function stretchTime(data: Uint8Array): Uint8Array {
  const click = JSON.parse(Buffer.from(data).toString('utf8')) as { atMs: number };
  click.atMs = 1_700_000_000_000 + (click.atMs - 1_700_000_000_000) * shards;
  return Buffer.from(JSON.stringify(click));
}
