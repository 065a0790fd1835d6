import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../core/aws/clients.js';
import type { ResourceNames } from '../resources.js';

/**
 * Everything stored, as one comparable string: every DynamoDB item (full scan)
 * and every S3 object's key, size and ETag. Equal fingerprints before and after
 * an action mean it changed nothing, byte for byte.
 */
export async function storageFingerprint(clients: AwsClients, names: ResourceNames): Promise<string> {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  for (let page = 0; page < 10_000; page++) {
    const out = await clients.dynamodb.send(
      new ScanCommand({
        TableName: names.table,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start as never } : {}),
      }),
    );
    for (const item of out.Items ?? []) items.push(canonical(item));
    start = out.LastEvaluatedKey;
    if (!start) break;
  }
  const objects: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const out = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: names.bucket, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const o of out.Contents ?? []) objects.push(`${o.Key} ${o.Size} ${o.ETag}`);
    token = out.NextContinuationToken;
    if (!token) break;
  }
  return JSON.stringify({ items: items.sort(), objects: objects.sort() });
}

/** JSON with object keys sorted at every level (binary values as base64). */
function canonical(value: unknown): string {
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
