import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Where and how to reach AWS. The same code talks to real AWS (no endpoints)
 * or to local emulators (endpoints + static credentials): nothing here reads
 * process.env, the caller decides.
 */
export interface AwsConnection {
  region: string;
  endpoints?: { kinesis?: string; dynamodb?: string; s3?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Per-request socket timeout. Bounds calls that an emulator may leave hanging. */
  requestTimeoutMs?: number;
  /** SDK-level retries for transient errors (our own retry loop sits above). */
  maxAttempts?: number;
}

export interface AwsClients {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  s3: S3Client;
  /** Created on first use: only the failure path (disabling the event source) needs it. */
  lambda(): LambdaClient;
  destroy(): void;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

function httpHandler(connection: AwsConnection): NodeHttpHandler {
  const requestTimeout = connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return new NodeHttpHandler({ requestTimeout, connectionTimeout: Math.min(requestTimeout, 5_000) });
}

function common(connection: AwsConnection) {
  return {
    region: connection.region,
    ...(connection.credentials ? { credentials: connection.credentials } : {}),
    ...(connection.maxAttempts ? { maxAttempts: connection.maxAttempts } : {}),
  };
}

export function createKinesisClient(connection: AwsConnection): KinesisClient {
  // HTTP/1.1 handler: the default HTTP/2 handler fails against kinesalite and the
  // request timeout bounds AT_TIMESTAMP iterators that never return on an empty shard.
  return new KinesisClient({
    ...common(connection),
    ...(connection.endpoints?.kinesis ? { endpoint: connection.endpoints.kinesis } : {}),
    requestHandler: httpHandler(connection),
  });
}

export function createDynamoDbClient(connection: AwsConnection): DynamoDBClient {
  return new DynamoDBClient({
    ...common(connection),
    ...(connection.endpoints?.dynamodb ? { endpoint: connection.endpoints.dynamodb } : {}),
    requestHandler: httpHandler(connection),
  });
}

export function createS3Client(connection: AwsConnection): S3Client {
  const endpoint = connection.endpoints?.s3;
  return new S3Client({
    ...common(connection),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Checksums only when an API requires them: with streamed bodies the default
    // (aws-chunked trailers) is stored corrupted by S3-compatible emulators.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: httpHandler(connection),
  });
}

export function createLambdaClient(connection: AwsConnection): LambdaClient {
  return new LambdaClient({ ...common(connection), requestHandler: httpHandler(connection) });
}

export function createAwsClients(connection: AwsConnection): AwsClients {
  const kinesis = createKinesisClient(connection);
  const dynamodb = createDynamoDbClient(connection);
  const s3 = createS3Client(connection);
  let lambda: LambdaClient | undefined;
  return {
    kinesis,
    dynamodb,
    s3,
    lambda() {
      lambda ??= createLambdaClient(connection);
      return lambda;
    },
    destroy() {
      kinesis.destroy();
      dynamodb.destroy();
      s3.destroy();
      lambda?.destroy();
    },
  };
}
