import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandOutput,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3SnapshotStore } from '../../../core/aws/s3-snapshot-store.js';
import { isCheckpointError } from '../../../core/errors/index.js';
import { type EmulatorFixture, emulatorClients, provisionFixture } from '../../support/emulators.js';
import { caught, collect, describeSnapshotStoreContract } from '../../support/snapshot-store-contract.js';
import { tamperingS3Client } from '../../support/tampering-s3-client.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await provisionFixture(1, 's3store');
});
afterAll(() => fx?.clients.destroy());

const noSleep = async () => {};
const sha256Base64 = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');

describeSnapshotStoreContract('S3SnapshotStore on s3rver', async () => ({
  store: new S3SnapshotStore({ client: fx.clients.s3, bucket: fx.names.bucket, sleep: noSleep }),
  async overwrite(key, bytes) {
    await fx.clients.s3.send(new PutObjectCommand({ Bucket: fx.names.bucket, Key: key, Body: bytes }));
  },
}));

type Sent = { name: string; input: Record<string, unknown>; output?: unknown };

/** A client of its own whose send is recorded and can be made to fail per command. */
function recordingClient(failWhen?: (command: Sent) => Error | undefined): {
  client: S3Client;
  sent: Sent[];
} {
  const client = emulatorClients().s3;
  const sent: Sent[] = [];
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  client.send = (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const entry: Sent = { name: command.constructor.name, input: command.input };
    sent.push(entry);
    const failure = failWhen?.(entry);
    if (failure) throw failure;
    entry.output = await send(command);
    return entry.output;
  }) as S3Client['send'];
  return { client, sent };
}

describe('S3SnapshotStore on s3rver', () => {
  it('uploads a body above the threshold in parts of max(5 MiB, write buffer) and a small one with one PutObject', async () => {
    // Prepare
    const { client, sent } = recordingClient();
    const store = new S3SnapshotStore({
      client,
      bucket: fx.names.bucket,
      writeBufferSizeBytes: 6 * 1024 * 1024,
    });
    const large = randomBytes(13 * 1024 * 1024);

    // Act
    const ref = await store.put(`multipart/${randomUUID()}.snap`, large);
    await store.put(`single/${randomUUID()}.snap`, randomBytes(1_024));
    const read = await store.get(ref);

    // Assess
    const parts = sent.filter((c) => c.name === UploadPartCommand.name);
    expect(store.partSizeBytes).toBe(6 * 1024 * 1024);
    expect(sent.filter((c) => c.name === CreateMultipartUploadCommand.name)).toHaveLength(1);
    expect(parts).toHaveLength(3);
    expect(sent.filter((c) => c.name === PutObjectCommand.name)).toHaveLength(1);
    expect(sent.find((c) => c.name === PutObjectCommand.name)?.input.IfNoneMatch).toBe('*');
    expect(Buffer.from(read).equals(large)).toBe(true);
  });

  it('sends the SHA-256 with a PutObject, and one per part (listed again at completion) with a multipart upload', async () => {
    // Prepare
    const { client, sent } = recordingClient();
    const store = new S3SnapshotStore({ client, bucket: fx.names.bucket });
    const small = randomBytes(2_000);
    const large = randomBytes(11 * 1024 * 1024);

    // Act
    const smallRef = await store.put(`checksums/${randomUUID()}.snap`, small);
    await store.put(`checksums/${randomUUID()}.snap`, large);

    // Assess
    const put = sent.find((c) => c.name === PutObjectCommand.name);
    expect(put?.input.ChecksumSHA256).toBe(Buffer.from(smallRef.sha256, 'hex').toString('base64'));
    expect(sent.find((c) => c.name === CreateMultipartUploadCommand.name)?.input.ChecksumAlgorithm).toBe(
      'SHA256',
    );
    const partSizeBytes = store.partSizeBytes;
    const partChecksums = sent
      .filter((c) => c.name === UploadPartCommand.name)
      .sort((a, b) => (a.input.PartNumber as number) - (b.input.PartNumber as number))
      .map((c) => c.input.ChecksumSHA256);
    const expected = [0, 1, 2].map((i) =>
      sha256Base64(large.subarray(i * partSizeBytes, (i + 1) * partSizeBytes)),
    );
    expect(partChecksums).toEqual(expected);
    const completed = sent.find((c) => c.name === CompleteMultipartUploadCommand.name)?.input as {
      MultipartUpload: { Parts: { ChecksumSHA256: string }[] };
    };
    expect(completed.MultipartUpload.Parts.map((p) => p.ChecksumSHA256)).toEqual(expected);
  });

  it.each([
    ['a PutObject', 3_000, 'PutObject'],
    ['a part of a multipart upload', 11 * 1024 * 1024, 'UploadPart'],
  ])(
    'retries %s that S3 refused as changed in transit (BadDigest), and the retry stores the bytes intact',
    async (_what, sizeBytes, operation) => {
      // Prepare
      let corruptions = 1;
      const { client, tampered } = tamperingS3Client((r) => r.operation === operation && corruptions-- > 0);
      const store = new S3SnapshotStore({ client, bucket: fx.names.bucket, sleep: noSleep });
      const bytes = randomBytes(sizeBytes);

      // Act
      const ref = await store.put(`in-transit/${randomUUID()}.snap`, bytes);

      // Assess
      expect(tampered).toHaveLength(1);
      expect(Buffer.from(await store.get(ref)).equals(bytes)).toBe(true);
      client.destroy();
    },
  );

  it.each([
    ['a PutObject', 3_000],
    ['a multipart upload', 11 * 1024 * 1024],
  ])(
    'gives up on %s corrupted on every attempt with a retryable UPLOAD_CORRUPTED and leaves nothing stored',
    async (_what, sizeBytes) => {
      // Prepare
      const { client, tampered } = tamperingS3Client(() => true);
      const store = new S3SnapshotStore({
        client,
        bucket: fx.names.bucket,
        retry: { maxAttempts: 3 },
        sleep: noSleep,
      });
      const prefix = `always-corrupted/${randomUUID()}/`;

      // Act
      const error = await caught(store.put(`${prefix}a.snap`, randomBytes(sizeBytes)));

      // Assess
      expect(isCheckpointError(error, 'UPLOAD_CORRUPTED')).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(true);
      expect((error as Error).message).toMatch(/BadDigest.*nothing was stored/);
      expect(tampered.length).toBeGreaterThanOrEqual(3);
      expect(await collect(store.list(prefix))).toEqual([]);
      client.destroy();
    },
  );

  it('aborts a multipart upload whose part failed, and reports the part failure', async () => {
    // Prepare
    const partFailure = Object.assign(new Error('part 2 refused'), {
      name: 'InvalidPart',
      $metadata: { httpStatusCode: 400 },
    });
    const { client, sent } = recordingClient((c) =>
      c.name === UploadPartCommand.name && c.input.PartNumber === 2 ? partFailure : undefined,
    );
    const store = new S3SnapshotStore({ client, bucket: fx.names.bucket, sleep: noSleep });

    // Act
    const error = await caught(store.put(`aborted/${randomUUID()}.snap`, randomBytes(11 * 1024 * 1024)));

    // Assess
    const created = sent.find((c) => c.name === CreateMultipartUploadCommand.name);
    const uploadId = (created?.output as CreateMultipartUploadCommandOutput | undefined)?.UploadId;
    const aborts = sent.filter((c) => c.name === AbortMultipartUploadCommand.name);
    expect(uploadId).toBeTruthy();
    expect(aborts.length).toBeGreaterThanOrEqual(1);
    expect(aborts.every((c) => c.input.UploadId === uploadId)).toBe(true);
    expect((error as Error).message).toContain('part 2 refused');
  });

  it('retries a throttled PutObject with backoff and then succeeds', async () => {
    // Prepare
    let throttles = 2;
    const slowDown = () =>
      Object.assign(new Error('Please reduce your request rate.'), {
        name: 'SlowDown',
        $metadata: { httpStatusCode: 503 },
      });
    const { client, sent } = recordingClient((c) =>
      c.name === PutObjectCommand.name && throttles-- > 0 ? slowDown() : undefined,
    );
    const delaysMs: number[] = [];
    const store = new S3SnapshotStore({
      client,
      bucket: fx.names.bucket,
      retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 1_000 },
      sleep: async (ms) => {
        delaysMs.push(ms);
      },
    });
    const bytes = randomBytes(100);

    // Act
    const ref = await store.put(`throttled/${randomUUID()}.snap`, bytes);

    // Assess
    expect(sent.filter((c) => c.name === PutObjectCommand.name)).toHaveLength(3);
    expect(delaysMs).toHaveLength(2);
    expect(delaysMs[1]!).toBeLessThanOrEqual(20);
    expect(Buffer.from(await store.get(ref)).equals(bytes)).toBe(true);
  });

  it('gives up after the configured attempts with a retryable THROTTLED error', async () => {
    // Prepare
    const { client } = recordingClient((c) =>
      c.name === PutObjectCommand.name
        ? Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } })
        : undefined,
    );
    const store = new S3SnapshotStore({
      client,
      bucket: fx.names.bucket,
      retry: { maxAttempts: 2 },
      sleep: noSleep,
    });

    // Act
    const error = await caught(store.put(`gave-up/${randomUUID()}.snap`, randomBytes(10)));

    // Assess
    expect(isCheckpointError(error, 'THROTTLED')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
  });

  it('treats a 412 on PutObject as success when the key already holds the same bytes, else as CONDITION_FAILED', async () => {
    // Prepare: real S3 answers 412 to IfNoneMatch when the key exists; s3rver never does, so simulate it.
    const key = `conditional/${randomUUID()}.snap`;
    const bytes = randomBytes(64);
    await fx.clients.s3.send(new PutObjectCommand({ Bucket: fx.names.bucket, Key: key, Body: bytes }));
    const preconditionFailed = () =>
      Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
        name: 'PreconditionFailed',
        $metadata: { httpStatusCode: 412 },
      });
    const { client } = recordingClient((c) =>
      c.name === PutObjectCommand.name ? preconditionFailed() : undefined,
    );
    const store = new S3SnapshotStore({ client, bucket: fx.names.bucket, sleep: noSleep });

    // Act
    const same = await store.put(key, bytes);
    const different = await caught(store.put(key, randomBytes(64)));

    // Assess
    expect(same.sizeBytes).toBe(64);
    expect(isCheckpointError(different, 'CONDITION_FAILED')).toBe(true);
    expect((different as Error).message).toContain('snapshot keys are written once');
  });

  it('refuses options that cannot work, naming the field', () => {
    // Act + Assess
    expect(
      () => new S3SnapshotStore({ client: fx.clients.s3, bucket: 'b', writeBufferSizeBytes: 0 }),
    ).toThrow(/writeBufferSizeBytes: expected a positive integer/);
    expect(() => new S3SnapshotStore({ client: fx.clients.s3, bucket: '' })).toThrow(/bucket/);
  });
});
