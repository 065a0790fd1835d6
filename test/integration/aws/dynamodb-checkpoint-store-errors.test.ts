import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, NotFoundError } from '../../../core/errors/index.js';
import { uniqueNames } from '../../../local/resources.js';
import { aJob, JOB, rejectionOf } from '../../support/checkpoint-fixtures.js';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';
import { type FaultyStore, faultyStore } from '../../support/faulty-dynamodb.js';

let fx: EmulatorFixture;
let faulty: FaultyStore | undefined;

beforeAll(async () => {
  fx = await provisionFixture(1, 'ckerr');
});
afterAll(() => fx?.clients.destroy());
afterEach(() => {
  faulty?.destroy();
  faulty = undefined;
});

describe('DynamoCheckpointStore error translation', () => {
  it('a missing table surfaces as NotFoundError naming the operation, without retries', async () => {
    // Prepare
    faulty = faultyStore('no-such-table', async (call) => call.send());

    // Act
    const error = await rejectionOf(faulty.store.getJob(JOB));

    // Assess
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain('getJob');
    expect(faulty.sleeps).toEqual([]);
  });

  it('a request DynamoDB rejects as invalid is a non-retryable INTERNAL CheckpointError, not retried', async () => {
    // Prepare: a table whose partition key is a number, so our string keys are invalid
    const wrong = uniqueNames('ckbad').table;
    await fx.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: wrong,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'N' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    faulty = faultyStore(wrong, async (call) => call.send());

    // Act
    const error = await rejectionOf(faulty.store.createJob(aJob()));

    // Assess
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ reason: 'INTERNAL', retryable: false });
    expect((error as Error).message).toContain('createJob');
    expect(faulty.commands).toEqual(['PutItemCommand']);
    await fx.clients.dynamodb.send(new DeleteTableCommand({ TableName: wrong }));
  });
});
