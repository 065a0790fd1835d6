import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { S3SnapshotStore } from '../../core/aws/s3-snapshot-store.js';
import { sha256Hex } from '../../core/aws/snapshot-integrity.js';
import { isCheckpointError } from '../../core/errors/index.js';
import type { SnapshotRef } from '../../core/ports/snapshot-store.js';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../../local/connection.js';
import { type EmulatorFixture, provisionFixture } from '../support/emulators.js';

/**
 * serverless.yml grants s3:ListBucket only for the job's prefixes (an s3:prefix condition).
 * Where that grant does not cover a GetObject of a missing key, S3 answers 403 AccessDenied
 * instead of 404. s3rver enforces no IAM, so these tests turn its answers into the 403s S3
 * would send (real SDK client, real HTTP responses rewritten on the way in) and check that
 * the snapshot store still tells a missing snapshot (NOT_FOUND, which restore and completion
 * rely on) from a real denial.
 */

type Denial = 'missing-keys' | 'all-reads' | 'reads-and-lists';

const ACCESS_DENIED_XML =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

/** A NodeHttpHandler whose GetObject (and, if asked, ListObjects) answers become S3's 403. */
function denyingHandler(denial: Denial): NodeHttpHandler {
  const inner = new NodeHttpHandler({ requestTimeout: 15_000 });
  const handle = inner.handle.bind(inner);
  inner.handle = async (request, options) => {
    const out = await handle(request, options);
    const isList = request.method === 'GET' && request.query['list-type'] !== undefined;
    const isGetObject = request.method === 'GET' && !isList && request.path.split('/').length > 2;
    const deny =
      (isGetObject && (denial !== 'missing-keys' || out.response.statusCode === 404)) ||
      (isList && denial === 'reads-and-lists');
    if (deny) {
      out.response.body?.resume?.();
      out.response.statusCode = 403;
      out.response.headers = { 'content-type': 'application/xml' };
      out.response.body = Readable.from([Buffer.from(ACCESS_DENIED_XML)]);
    }
    return out;
  };
  return inner;
}

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await provisionFixture(1, 'listscope');
});
afterAll(() => fx?.clients.destroy());

function storeDenying(denial: Denial): { store: S3SnapshotStore; client: S3Client } {
  // As core/aws/clients.ts builds it for the emulators, with the denying handler.
  const client = new S3Client({
    region: EMULATOR_REGION,
    credentials: EMULATOR_CREDENTIALS,
    endpoint: inject('emulators').s3,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: denyingHandler(denial),
    maxAttempts: 1,
  });
  return { client, store: new S3SnapshotStore({ client, bucket: fx.names.bucket, sleep: async () => {} }) };
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the read to fail');
}

function refOf(key: string, bytes: Uint8Array): SnapshotRef {
  return { key, sha256: sha256Hex(bytes), sizeBytes: bytes.length };
}

describe('a snapshot read where S3 answers 403 for a missing key', () => {
  it('reads a missing snapshot as NOT_FOUND once a LIST of its key finds nothing', async () => {
    const plain = new S3SnapshotStore({ client: fx.clients.s3, bucket: fx.names.bucket });
    const bytes = new Uint8Array([1, 2, 3]);
    // A neighbour whose key extends the missing one: the LIST must not mistake it for the key.
    await plain.put('checkpoints/job/chk-1/shard-a.snap2', bytes);
    const { store, client } = storeDenying('missing-keys');

    const error = await caught(store.get(refOf('checkpoints/job/chk-1/shard-a.snap', bytes)));
    client.destroy();

    expect(isCheckpointError(error, 'NOT_FOUND')).toBe(true);
    expect(error.message).toMatch(/403 AccessDenied and a LIST of the key finds no such object/);
  });

  it('still reads an existing snapshot through the same client', async () => {
    const plain = new S3SnapshotStore({ client: fx.clients.s3, bucket: fx.names.bucket });
    const bytes = new Uint8Array([4, 5, 6]);
    const ref = await plain.put('checkpoints/job/chk-2/shard-a.snap', bytes);
    const { store, client } = storeDenying('missing-keys');

    const read = await store.get(ref);
    client.destroy();

    expect([...read]).toEqual([...bytes]);
  });

  it('keeps a denied read of a snapshot that exists an access error, never NOT_FOUND', async () => {
    const plain = new S3SnapshotStore({ client: fx.clients.s3, bucket: fx.names.bucket });
    const ref = await plain.put('checkpoints/job/chk-3/shard-a.snap', new Uint8Array([7]));
    const { store, client } = storeDenying('all-reads');

    const error = await caught(store.get(ref));
    client.destroy();

    expect(isCheckpointError(error, 'NOT_FOUND')).toBe(false);
    expect(error.message).toMatch(/AccessDenied/);
  });

  it('keeps a 403 an access error when listing is denied too, so absence is never guessed', async () => {
    const { store, client } = storeDenying('reads-and-lists');

    const error = await caught(store.get(refOf('checkpoints/job/chk-4/shard-a.snap', new Uint8Array([8]))));
    client.destroy();

    expect(isCheckpointError(error, 'NOT_FOUND')).toBe(false);
    expect(error.message).toMatch(/AccessDenied/);
  });
});
