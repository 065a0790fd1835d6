import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translateDynamoError } from '../../../core/aws/dynamodb-errors.js';
import { ConditionFailedError } from '../../../core/errors/index.js';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await provisionFixture(1, 'ddb');
});
afterAll(() => fx?.clients.destroy());

describe('DynamoDB emulator through the real SDK client', () => {
  it('a conditional write that should fail fails with a typed ConditionFailedError', async () => {
    // Prepare
    const put = (version: number) =>
      new PutItemCommand({
        TableName: fx.names.table,
        Item: { pk: { S: 'JOB#a' }, sk: { S: 'META' }, version: { N: String(version) } },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    await fx.clients.dynamodb.send(put(1));

    // Act
    const error = await fx.clients.dynamodb.send(put(2)).then(
      () => undefined,
      (e: unknown) => translateDynamoError(e, 'put META'),
    );

    // Assess
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect(error?.retryable).toBe(false);
    expect(error?.message).toContain('put META');
  });
});
