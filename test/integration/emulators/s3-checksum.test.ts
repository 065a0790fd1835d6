import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';
import { caught } from '../../support/snapshot-store-contract.js';
import { tamperingS3Client } from '../../support/tampering-s3-client.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await provisionFixture(1, 's3sum');
});
afterAll(() => fx?.clients.destroy());

const sha256Base64 = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');

interface SdkError {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number };
}

async function exists(key: string): Promise<boolean> {
  try {
    await fx.clients.s3.send(new HeadObjectCommand({ Bucket: fx.names.bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

describe('the S3 emulator verifies x-amz-checksum-sha256 as S3 does', () => {
  it('stores a PutObject whose body matches its ChecksumSHA256', async () => {
    // Prepare
    const { client } = tamperingS3Client(() => false);
    const key = `checksum/${randomUUID()}`;
    const body = randomBytes(4_096);

    // Act
    await client.send(
      new PutObjectCommand({
        Bucket: fx.names.bucket,
        Key: key,
        Body: body,
        ChecksumSHA256: sha256Base64(body),
      }),
    );
    const read = await fx.clients.s3.send(new GetObjectCommand({ Bucket: fx.names.bucket, Key: key }));

    // Assess
    expect(Buffer.from(await read.Body!.transformToByteArray()).equals(body)).toBe(true);
    client.destroy();
  });

  it('answers a PutObject whose body changed in transit with 400 BadDigest and stores nothing', async () => {
    // Prepare
    const { client, tampered } = tamperingS3Client(() => true);
    const key = `checksum/${randomUUID()}`;
    const body = randomBytes(4_096);

    // Act
    const error = (await caught(
      client.send(
        new PutObjectCommand({
          Bucket: fx.names.bucket,
          Key: key,
          Body: body,
          ChecksumSHA256: sha256Base64(body),
        }),
      ),
    )) as SdkError;

    // Assess
    expect(tampered).toEqual([{ operation: 'PutObject' }]);
    expect(error.name).toBe('BadDigest');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain('did not match the calculated checksum');
    expect(await exists(key)).toBe(false);
    client.destroy();
  });

  it('answers an UploadPart whose body changed in transit with 400 BadDigest, and the good retry completes', async () => {
    // Prepare
    let tamperNext = true;
    const { client, tampered } = tamperingS3Client(() => {
      const now = tamperNext;
      tamperNext = false;
      return now;
    });
    const key = `checksum/${randomUUID()}`;
    const part = randomBytes(64 * 1024);
    const created = await client.send(
      new CreateMultipartUploadCommand({ Bucket: fx.names.bucket, Key: key, ChecksumAlgorithm: 'SHA256' }),
    );
    const uploadPart = () =>
      client.send(
        new UploadPartCommand({
          Bucket: fx.names.bucket,
          Key: key,
          UploadId: created.UploadId,
          PartNumber: 1,
          Body: part,
          ChecksumSHA256: sha256Base64(part),
        }),
      );

    // Act
    const refused = (await caught(uploadPart())) as SdkError;
    const accepted = await uploadPart();
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: fx.names.bucket,
        Key: key,
        UploadId: created.UploadId,
        MultipartUpload: {
          Parts: [{ PartNumber: 1, ETag: accepted.ETag, ChecksumSHA256: sha256Base64(part) }],
        },
      }),
    );
    const read = await fx.clients.s3.send(new GetObjectCommand({ Bucket: fx.names.bucket, Key: key }));

    // Assess
    expect(tampered).toEqual([{ operation: 'UploadPart', partNumber: 1 }]);
    expect(refused.name).toBe('BadDigest');
    expect(refused.$metadata.httpStatusCode).toBe(400);
    expect(Buffer.from(await read.Body!.transformToByteArray()).equals(part)).toBe(true);
    client.destroy();
  });

  it('refuses a ChecksumSHA256 that is not a SHA-256 digest with 400 InvalidRequest', async () => {
    // Prepare
    const key = `checksum/${randomUUID()}`;

    // Act
    const error = (await caught(
      fx.clients.s3.send(
        new PutObjectCommand({ Bucket: fx.names.bucket, Key: key, Body: 'abc', ChecksumSHA256: 'AAAA' }),
      ),
    )) as SdkError;

    // Assess
    expect(error.name).toBe('InvalidRequest');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(await exists(key)).toBe(false);
  });
});
