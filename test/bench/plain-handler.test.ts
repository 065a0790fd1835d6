import { describe, expect, it } from 'vitest';
import { plainClickCounterHandler } from '../../bench/plain-handler.js';
import { toKinesisEvent } from '../../core/middy/kinesis-event.js';
import type { StreamRecord } from '../../core/ports/stream.js';
import { clickCounter, type WindowCount } from '../../core/state/examples/click-counter.js';
import { OperatorRuntime } from '../../core/state/index.js';
import { clickWorkload } from '../../local/pipeline/click-workload.js';
import { seededRandom } from '../../local/pipeline/random.js';

const SHARD = 'shardId-000000000000';

describe('the overhead bench baseline', () => {
  it('is the click counter without the framework: the same window results and per-user state', async () => {
    // Prepare: one shard's clicks, as the bench produces them.
    const { records: produced } = clickWorkload(20_000, 40, seededRandom(3));
    const records: StreamRecord[] = produced.map((r, i) => ({
      shardId: SHARD,
      sequenceNumber: String(49_000_000_000 + i),
      partitionKey: r.partitionKey,
      data: r.data,
      arrivalTimeMs: 0,
    }));
    const runtime = new OperatorRuntime(clickCounter, { shardId: SHARD });
    const operatorResults: WindowCount[] = [];
    runtime.setOutputHandler((value) => operatorResults.push(value as WindowCount));
    const plain = plainClickCounterHandler();
    const plainResults: WindowCount[] = [];
    // Act
    for (const record of records) runtime.processRecord(record);
    for (let i = 0; i < records.length; i += 100) {
      const response = (await plain(toKinesisEvent(records.slice(i, i + 100), 'arn'), {} as never)) as {
        results: WindowCount[];
      };
      plainResults.push(...response.results);
    }
    // Assess
    const order = (a: WindowCount, b: WindowCount) =>
      a.windowStartMs - b.windowStartMs || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);
    expect(operatorResults.length).toBeGreaterThan(100);
    expect([...plainResults].sort(order)).toEqual([...operatorResults].sort(order));
    const clicksPerUser = Object.fromEntries(runtime.keyedEntries('clicks'));
    const plainClicks = new Map<string, number>();
    for (const r of records) plainClicks.set(r.partitionKey, (plainClicks.get(r.partitionKey) ?? 0) + 1);
    expect(clicksPerUser).toEqual(Object.fromEntries(plainClicks));
  });
});
