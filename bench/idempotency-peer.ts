import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CreateTableCommand, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { type ClickEvent, WINDOW_SIZE_MS } from '../core/state/examples/click-counter.js';
import type { KinesisHandler } from '../local/esm/event-source-mapping.js';

/** Tables of the peer: Powertools' idempotency records, and the click counts per user. */
export interface PeerTables {
  idempotency: string;
  clicks: string;
}

export async function createPeerTables(client: DynamoDBClient, tables: PeerTables): Promise<void> {
  const create = (name: string, key: string) =>
    client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      }),
    );
  await Promise.all([create(tables.idempotency, 'id'), create(tables.clicks, 'userId')]);
}

/**
 * The way teams get exactly-once effects on Lambda today: each Kinesis record is
 * processed through Powertools' makeIdempotent (DynamoDB persistence: a PutItem
 * that claims the record's key, an UpdateItem that stores its result), and the
 * record's effect is a DynamoDB UpdateItem on the user's item (clicks, clicks per
 * page, amount, clicks per 60 s window): the state is durable per record instead
 * of per checkpoint. Window closing (our event-time timers) is left out: it would
 * only add requests to the peer.
 */
export function idempotentClickHandler(client: DynamoDBClient, tables: PeerTables): KinesisHandler {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: tables.idempotency,
    awsSdkV3Client: client,
  });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'eventID' });
  const applyClick = async (record: KinesisStreamRecord) => {
    const click = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as ClickEvent;
    const windowStartMs = click.atMs - (click.atMs % WINDOW_SIZE_MS);
    await client.send(
      new UpdateItemCommand({
        TableName: tables.clicks,
        Key: { userId: { S: record.kinesis.partitionKey } },
        UpdateExpression: 'ADD clicks :one, amountCents :amount, #page :one, #window :one',
        ExpressionAttributeNames: { '#page': `page:${click.page}`, '#window': `window:${windowStartMs}` },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':amount': { N: String(click.amountCents) } },
      }),
    );
    return { sequenceNumber: record.kinesis.sequenceNumber };
  };
  const applyOnce = makeIdempotent(applyClick, { persistenceStore, config });
  return async (event: KinesisStreamEvent, context: Context) => {
    config.registerLambdaContext(context);
    for (const record of event.Records) await applyOnce(record);
    return { batchItemFailures: [] };
  };
}

/** Counts every request a DynamoDB client sends, by command name (the peer's billable calls). */
export function countDynamoRequests(client: DynamoDBClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return counts;
}
