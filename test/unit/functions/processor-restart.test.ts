import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../core/aws/clients.js';
import { compileConfig } from '../../../core/config/index.js';
import { clickCounter } from '../../../core/state/examples/click-counter.js';
import { defineOperator } from '../../../core/state/index.js';
import { createProcessorHandler } from '../../../functions/shared/processor-handler.js';
import { EventSourceMappingSimulator } from '../../../local/esm/event-source-mapping.js';
import { clickWorkload } from '../../../local/pipeline/click-workload.js';
import { FakeClock } from '../../../local/pipeline/fake-clock.js';
import { memoryParts } from '../../../local/pipeline/parts.js';
import { seededRandom } from '../../../local/pipeline/random.js';

describe('processor handler: restart strategy on a poison record (real middy pipeline)', () => {
  it('retries with the strategy delay, then marks the job FAILED and disables the event source; nothing is skipped', async () => {
    // Prepare: a record that always fails, fixed-delay with 2 attempts
    const clock = new FakeClock();
    const parts = memoryParts(1, clock);
    const config = compileConfig({
      jobId: 'job-poison',
      checkpointsDir: 's3://bucket/checkpoints',
      intervalMs: 1_000,
      restartStrategy: { type: 'fixed-delay', attempts: 2, delayMs: 1_500 },
    });
    await parts.produce(clickWorkload(30, 5, seededRandom(1)).records);
    const [shardId] = await parts.source.listShardIds();
    const poison = (await parts.source.read(shardId!, undefined, 100))[10]!.sequenceNumber;
    const operator = defineOperator({
      ...clickCounter,
      onTimer: clickCounter.onTimer!,
      timestampOf: clickCounter.timestampOf!,
      processElement(event, ctx) {
        if (ctx.record.sequenceNumber === poison) throw new Error('cannot parse this click');
        clickCounter.processElement(event, ctx);
      },
    });
    const disabled: string[] = [];
    const slept: number[] = [];
    const handler = createProcessorHandler(operator, {
      wiring: () => ({
        config,
        clients: {} as AwsClients,
        store: parts.store,
        snapshots: parts.snapshots,
        reader: parts.reader,
        writer: parts.writer,
        clock,
        checkpointsPrefix: 'checkpoints',
        savepointsPrefix: 'checkpoints/savepoints',
      }),
      eventSource: { disable: async (reason) => void disabled.push(reason), enable: async () => 0 },
      sleep: async (ms) => {
        slept.push(ms);
        clock.advance(ms);
      },
    });
    const esm = new EventSourceMappingSimulator({
      source: parts.source,
      createContainer: () => handler,
      maxConsecutiveErrors: 5,
    });

    // Act: poll until the job fails (bounded)
    for (let i = 0; i < 10 && disabled.length === 0; i++) await esm.pollOnce();

    // Assess
    expect(slept).toEqual([1_500, 1_500]);
    expect(disabled).toHaveLength(1);
    const job = await parts.store.getJob('job-poison');
    expect(job?.status).toBe('FAILED');
    expect(job?.statusReason).toMatch(/fixed-delay exhausted.*cannot parse this click/);
    // The event source never got past the poison record: nothing after it was acknowledged.
    expect(esm.position(shardId!)! < poison).toBe(true);
  });
});
