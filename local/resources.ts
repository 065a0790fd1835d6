import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../core/aws/clients.js';

/** The resources the system needs, with the same shapes as serverless.yml declares. */
export interface ResourceNames {
  stream: string;
  table: string;
  bucket: string;
}

export interface ProvisionOptions {
  shardCount: number;
  /** Bounded wait for ACTIVE (emulators are instant with *Ms: 0, AWS is not). */
  activeTimeoutMs?: number;
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 1_000)));
  }
}

export async function createStream(
  clients: AwsClients,
  name: string,
  shardCount: number,
  timeoutMs = 30_000,
) {
  await clients.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  await waitUntil(`stream ${name}`, timeoutMs, async () => {
    const out = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  });
}

/** The single checkpoint table: pk/sk strings, on-demand. */
export async function createCheckpointTable(clients: AwsClients, name: string, timeoutMs = 30_000) {
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await waitUntil(`table ${name}`, timeoutMs, async () => {
    const out = await clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
    return out.Table?.TableStatus === 'ACTIVE';
  });
}

export async function createBucket(clients: AwsClients, name: string) {
  await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
}

export async function provisionResources(
  clients: AwsClients,
  names: ResourceNames,
  options: ProvisionOptions,
) {
  await Promise.all([
    createStream(clients, names.stream, options.shardCount, options.activeTimeoutMs),
    createCheckpointTable(clients, names.table, options.activeTimeoutMs),
    createBucket(clients, names.bucket),
  ]);
}

let counter = 0;
/** Unique, valid names (DynamoDB >= 3 chars, S3 lowercase) so tests never share a resource. */
export function uniqueNames(prefix = 'test'): ResourceNames {
  const id = `${prefix}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`.toLowerCase();
  return { stream: `${id}-stream`, table: `${id}-table`, bucket: `${id}-bucket`.slice(0, 63) };
}
