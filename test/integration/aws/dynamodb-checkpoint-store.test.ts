import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoCheckpointStore } from '../../../core/aws/dynamodb-checkpoint-store.js';
import { createCheckpointTable, uniqueNames } from '../../../local/resources.js';
import { checkpointStoreContract } from '../../support/checkpoint-store-contract.js';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await provisionFixture(1, 'ckpt');
});
afterAll(() => fx?.clients.destroy());

// A fresh table per test (dynalite creates tables instantly): every test starts empty.
checkpointStoreContract('DynamoCheckpointStore on dynalite', async () => {
  const tableName = uniqueNames('ckpt').table;
  await createCheckpointTable(fx.clients, tableName);
  return {
    store: new DynamoCheckpointStore({ client: fx.clients.dynamodb, tableName }),
    cleanup: async () => {
      await fx.clients.dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
});
