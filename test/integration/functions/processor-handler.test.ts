import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoCheckpointStore } from '../../../core/aws/dynamodb-checkpoint-store.js';
import { isCheckpointError } from '../../../core/errors/index.js';
import { toKinesisEvent } from '../../../core/middy/kinesis-event.js';
import { clickCounter } from '../../../core/state/examples/click-counter.js';
import { createProcessorHandler } from '../../../functions/shared/processor-handler.js';
import { wiringFromEnvironment } from '../../../functions/shared/wiring.js';
import { lambdaContext } from '../../../local/esm/lambda-context.js';
import { KinesisShardSource } from '../../../local/esm/shard-source.js';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';

let fx: EmulatorFixture;
let env: Record<string, string>;
beforeAll(async () => {
  fx = await provisionFixture(1, 'fn');
  const endpoints = inject('emulators');
  env = {
    AWS_REGION: 'us-east-1',
    FLINKLESS_JOB_ID: 'fn-job',
    FLINKLESS_TABLE: fx.names.table,
    FLINKLESS_STREAM: fx.names.stream,
    FLINKLESS_CHECKPOINTS_DIR: `s3://${fx.names.bucket}/checkpoints`,
    FLINKLESS_INTERVAL_MS: '10000',
    FLINKLESS_ENDPOINT_KINESIS: endpoints.kinesis,
    FLINKLESS_ENDPOINT_DYNAMODB: endpoints.dynamodb,
    FLINKLESS_ENDPOINT_S3: endpoints.s3,
  };
});
afterAll(() => fx?.clients.destroy());

describe('functions/processor: the deployed handler wired from the environment', () => {
  it('processes a Kinesis event end to end and commits the shard cursor', async () => {
    // Prepare
    const clicks = [1, 2, 3].map((i) => ({
      userId: `u${i % 2}`,
      page: '/home',
      amountCents: i,
      atMs: 1_700_000_000_000 + i,
    }));
    await fx.clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: fx.names.stream,
        Records: clicks.map((c) => ({ PartitionKey: c.userId, Data: Buffer.from(JSON.stringify(c)) })),
      }),
    );
    const source = new KinesisShardSource(fx.clients.kinesis, fx.names.stream);
    const [shardId] = await source.listShardIds();
    const records = await source.read(shardId!, undefined, 100);
    const handler = createProcessorHandler(clickCounter, { wiring: () => wiringFromEnvironment(env) });

    // Act
    const response = await handler(
      toKinesisEvent(records, 'arn:aws:kinesis:us-east-1:000000000000:stream/x'),
      lambdaContext('processor', 30_000, 'r1'),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const store = new DynamoCheckpointStore({ client: fx.clients.dynamodb, tableName: fx.names.table });
    const cursor = await store.getCursor('fn-job', shardId!);
    expect(cursor?.lastSequenceNumber).toBe(records[2]!.sequenceNumber);
    expect(cursor?.initialSequenceNumber).toBe(records[0]!.sequenceNumber);
  });

  it('a bad configuration fails the cold start with an error naming the field, before touching anything', async () => {
    // Prepare
    const handler = createProcessorHandler(clickCounter, {
      wiring: () => wiringFromEnvironment({ ...env, FLINKLESS_MODE: 'SOMETIMES' }),
    });

    // Act
    const error = await handler(toKinesisEvent([], 'arn'), lambdaContext('processor', 30_000, 'r2')).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(isCheckpointError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('mode');
  });
});

describe('iterative jobs (a feedback edge: the output stream is the input stream)', () => {
  it('are refused at cold start unless force is set, naming the field and the risk', async () => {
    // Act
    const refused = (() => {
      try {
        wiringFromEnvironment({ ...env, FLINKLESS_OUTPUT_STREAM: env.FLINKLESS_STREAM! });
        return undefined;
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(isCheckpointError(refused, 'CONFIG_INVALID')).toBe(true);
    expect((refused as Error).message).toMatch(/checkpointing\.force.*feedback edge.*applied again/);
  });

  it('run with force: true, with the loss risk logged', () => {
    // Prepare
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (message: string) => void warnings.push(message);

    // Act
    try {
      const wiring = wiringFromEnvironment({
        ...env,
        FLINKLESS_OUTPUT_STREAM: env.FLINKLESS_STREAM!,
        FLINKLESS_FORCE: 'true',
      });
      wiring.clients.destroy();
    } finally {
      console.warn = original;
    }

    // Assess
    expect(warnings.some((w) => /iterative job.*in flight on the feedback edge/.test(w))).toBe(true);
  });
});
