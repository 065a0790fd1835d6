import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors/index.js';
import {
  type CheckpointingContext,
  checkpointedKinesisHandler,
} from '../../../core/middy/checkpointing-middleware.js';
import { toKinesisEvent } from '../../../core/middy/kinesis-event.js';
import type { StreamRecord } from '../../../core/ports/stream.js';
import type { BatchOutcome } from '../../../core/processing/types.js';
import { lambdaContext } from '../../../local/esm/lambda-context.js';
import { JOB_ID, loggedIds, protocolFixture } from '../processing/protocol-fixture.js';

const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';

let invocation = 0;
const context = () => lambdaContext('processor', 60_000, `request-${++invocation}`);
const event = (records: StreamRecord[]) => toKinesisEvent(records, ARN);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the invocation to reject');
}

describe('checkpointedKinesisHandler (real middy pipeline)', () => {
  it('runs a user middleware added with .use() after the checkpointing preparation and before any record is processed', async () => {
    // Prepare
    const fx = await protocolFixture();
    const records = fx.produce(['a', 'b']);
    const steps: string[] = [];
    const handler = checkpointedKinesisHandler({
      processor: () => fx.container(),
      onOutcome: () => steps.push('batch processed'),
    }).use({
      before: async (request) => {
        const prepared = (request.context as CheckpointingContext).checkpointing;
        steps.push(
          `user before: ${prepared.batches.map((b) => b.records.length).join(',')} records prepared`,
        );
        steps.push(`cursor ${(await fx.store.getCursor(JOB_ID, fx.shardIds[0]!)) ? 'exists' : 'absent'}`);
      },
    });
    // Act
    const response = await handler(event(records), context());
    // Assess
    expect(steps).toEqual(['user before: 2 records prepared', 'cursor absent', 'batch processed']);
    expect(response).toBeUndefined();
  });

  it('builds the processor once per container and keeps shard state warm across invocations', async () => {
    // Prepare
    const fx = await protocolFixture();
    const first = fx.produce(['a', 'b']);
    const second = fx.produce(['c']);
    let built = 0;
    const outcomes: BatchOutcome[] = [];
    const handler = checkpointedKinesisHandler({
      processor: () => {
        built++;
        return fx.container();
      },
      onOutcome: (o) => outcomes.push(o),
    });
    // Act
    await handler(event(first), context());
    await handler(event(second), context());
    // Assess
    expect(built).toBe(1);
    expect(outcomes.map((o) => o.coldStart)).toEqual([true, false]);
    expect(outcomes.map((o) => o.replayed)).toEqual([0, 0]);
  });

  it('with reportBatchItemFailures reports the failing record, commits the records before it, and the retry from it rebuilds the failure-free state', async () => {
    // Prepare
    const fx = await protocolFixture();
    const records = fx.produce(['a', 'b', 'c', 'd', 'e']);
    const failing = records[2]!;
    fx.poisoned.add('c');
    const processor = fx.container();
    const outcomes: BatchOutcome[] = [];
    const handler = checkpointedKinesisHandler({
      processor: () => processor,
      reportBatchItemFailures: true,
      onOutcome: (o) => outcomes.push(o),
    });
    // Act
    const first = await handler(event(records), context());
    const cursorAfterFailure = await fx.store.getCursor(JOB_ID, fx.shardIds[0]!);
    fx.poisoned.delete('c');
    const retry = await handler(event(records.slice(2)), context());
    // Assess
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: failing.sequenceNumber }] });
    expect(cursorAfterFailure?.lastSequenceNumber).toBe(records[1]!.sequenceNumber);
    expect(retry).toEqual({ batchItemFailures: [] });
    // The failed record may have half-mutated state: the retry starts cold and replays a, b.
    expect(outcomes[1]).toMatchObject({ coldStart: true, replayed: 2, applied: 3 });
    const cursor = await fx.store.getCursor(JOB_ID, fx.shardIds[0]!);
    expect(cursor?.lastSequenceNumber).toBe(records[4]!.sequenceNumber);
    expect(fx.liveState(processor)).toBe(fx.referenceState(records));
    expect(loggedIds(fx.liveState(processor))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('without reportBatchItemFailures rejects on a failing record and leaves the cursor unchanged', async () => {
    // Prepare
    const fx = await protocolFixture();
    const warmup = fx.produce(['a']);
    const records = fx.produce(['b', 'c', 'd']);
    const handler = checkpointedKinesisHandler({ processor: () => fx.container() });
    await handler(event(warmup), context());
    fx.poisoned.add('c');
    const before = fx.durable();
    // Act
    const error = await rejection(handler(event(records), context()));
    // Assess
    expect(error.message).toMatch(/poisoned record c/);
    expect(fx.durable()).toEqual(before);
    const cursor = await fx.store.getCursor(JOB_ID, fx.shardIds[0]!);
    expect(cursor?.lastSequenceNumber).toBe(warmup[0]!.sequenceNumber);
  });

  it('rejects a malformed event with BadInputError before anything durable changes', async () => {
    // Prepare
    const fx = await protocolFixture();
    const handler = checkpointedKinesisHandler({
      processor: () => fx.container(),
      reportBatchItemFailures: true,
    });
    await handler(event(fx.produce(['a', 'b'])), context());
    const malformed = event(fx.produce(['c', 'd']));
    (malformed.Records[1]!.kinesis as { sequenceNumber: unknown }).sequenceNumber = 'not-a-number';
    const before = fx.durable();
    // Act
    const error = await rejection(handler(malformed as KinesisStreamEvent, context()));
    // Assess
    expect(error).toBeInstanceOf(BadInputError);
    expect(error.message).toMatch(/Records\[1\]\.kinesis\.sequenceNumber/);
    expect(fx.durable()).toEqual(before);
  });
});
