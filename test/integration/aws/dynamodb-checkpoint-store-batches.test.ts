import { DeleteTableCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoCheckpointStore } from '../../../core/aws/dynamodb-checkpoint-store.js';
import { ThrottledError } from '../../../core/errors/index.js';
import { createCheckpointTable, uniqueNames } from '../../../local/resources.js';
import {
  anAck,
  anInlineAck,
  JOB,
  patternBytes,
  rejectionOf,
  shardId,
} from '../../support/checkpoint-fixtures.js';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';
import { type Fault, type FaultyStore, faultyStore, TEST_RETRY } from '../../support/faulty-dynamodb.js';

let fx: EmulatorFixture;
let tableName: string;
let plain: DynamoCheckpointStore;
let faulty: FaultyStore | undefined;

beforeAll(async () => {
  fx = await provisionFixture(1, 'ckbat');
});
afterAll(() => fx?.clients.destroy());
beforeEach(async () => {
  tableName = uniqueNames('ckbat').table;
  await createCheckpointTable(fx.clients, tableName);
  plain = new DynamoCheckpointStore({ client: fx.clients.dynamodb, tableName });
});
afterEach(async () => {
  faulty?.destroy();
  faulty = undefined;
  await fx.clients.dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
});

async function putAcks(checkpointId: number, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) => plain.putAck(JOB, anAck(checkpointId, shardId(i)))),
  );
}

function requestsOf(input: Record<string, unknown>): WriteRequest[] {
  return (input.RequestItems as Record<string, WriteRequest[]>)[tableName] ?? [];
}

/** BatchWriteItem calls matching `unprocessed` apply only part of their requests and report the rest back. */
function partialBatches(unprocessed: (nth: number) => number): Fault {
  return async (call, nth) => {
    if (call.command !== 'BatchWriteItemCommand') return call.send();
    const requests = requestsOf(call.input);
    const keep = requests.length - Math.min(unprocessed(nth), requests.length);
    // An empty batch is invalid in DynamoDB: when nothing is applied, nothing is sent.
    const output =
      keep > 0
        ? await call.send({ ...call.input, RequestItems: { [tableName]: requests.slice(0, keep) } })
        : {};
    const left = requests.slice(keep);
    return { ...output, UnprocessedItems: left.length > 0 ? { [tableName]: left } : {} };
  };
}

describe('DynamoCheckpointStore queries and batches', () => {
  it('listAcks follows LastEvaluatedKey over more than one 1 MB page', async () => {
    // Prepare: 60 x 20 KB inline snapshots
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        plain.putAck(JOB, anInlineAck(1, shardId(i), patternBytes(20_480, i))),
      ),
    );
    faulty = faultyStore(tableName, async (call) => call.send());

    // Act
    const acks = await faulty.store.listAcks(JOB, 1);

    // Assess
    expect(acks).toHaveLength(60);
    expect(faulty.commands.filter((c) => c === 'QueryCommand').length).toBeGreaterThan(1);
  });

  it('deleteAcks sends batches of at most 25 deletes', async () => {
    // Prepare
    await putAcks(1, 60);
    const sizes: number[] = [];
    faulty = faultyStore(tableName, async (call) => {
      if (call.command === 'BatchWriteItemCommand') sizes.push(requestsOf(call.input).length);
      return call.send();
    });

    // Act
    await faulty.store.deleteAcks(JOB, 1);

    // Assess
    expect(sizes).toEqual([25, 25, 10]);
    expect(await plain.listAcks(JOB, 1)).toEqual([]);
  });

  it('deleteAcks resends UnprocessedItems after a backoff until every ack is gone', async () => {
    // Prepare
    await putAcks(1, 30);
    faulty = faultyStore(
      tableName,
      partialBatches((nth) => (nth === 1 ? 5 : 0)),
    );

    // Act
    await faulty.store.deleteAcks(JOB, 1);

    // Assess
    expect(faulty.commands.filter((c) => c === 'BatchWriteItemCommand')).toHaveLength(3);
    expect(faulty.sleeps).toHaveLength(1);
    expect(await plain.listAcks(JOB, 1)).toEqual([]);
  });

  it('deleteAcks gives up with ThrottledError when items stay unprocessed, and a later call finishes', async () => {
    // Prepare
    await putAcks(1, 10);
    faulty = faultyStore(
      tableName,
      partialBatches(() => 1),
    );

    // Act
    const error = await rejectionOf(faulty.store.deleteAcks(JOB, 1));
    await plain.deleteAcks(JOB, 1);

    // Assess
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as Error).message).toContain('deleteAcks');
    expect(faulty.commands.filter((c) => c === 'BatchWriteItemCommand')).toHaveLength(TEST_RETRY.maxAttempts);
    expect(await plain.listAcks(JOB, 1)).toEqual([]);
  });
});
