import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await provisionFixture(1, 's3');
});
afterAll(() => fx?.clients.destroy());

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('S3 emulator through the real SDK client', () => {
  it('a streamed 10 MB multipart upload reads back byte-identical', async () => {
    // Prepare
    const body = randomBytes(10 * 1024 * 1024);
    const chunks = Array.from({ length: 40 }, (_, i) => body.subarray(i * 262_144, (i + 1) * 262_144));

    // Act
    const upload = new Upload({
      client: fx.clients.s3,
      params: { Bucket: fx.names.bucket, Key: 'big/object.bin', Body: Readable.from(chunks) },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });
    let parts = 0;
    upload.on('httpUploadProgress', () => {
      parts++;
    });
    await upload.done();
    const got = await fx.clients.s3.send(
      new GetObjectCommand({ Bucket: fx.names.bucket, Key: 'big/object.bin' }),
    );
    const bytes = await got.Body!.transformToByteArray();

    // Assess
    expect(parts).toBeGreaterThanOrEqual(2);
    expect(bytes.length).toBe(body.length);
    expect(sha256(bytes)).toBe(sha256(body));
  });

  it('ListObjectsV2 paginates over more than 1,000 keys', async () => {
    // Prepare
    const total = 1_050;
    for (let i = 0; i < total; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          fx.clients.s3.send(
            new PutObjectCommand({
              Bucket: fx.names.bucket,
              Key: `many/${String(i + j).padStart(5, '0')}`,
              Body: 'x',
            }),
          ),
        ),
      );
    }

    // Act
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await fx.clients.s3.send(
        new ListObjectsV2Command({ Bucket: fx.names.bucket, Prefix: 'many/', ContinuationToken: token }),
      );
      pages++;
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token && pages < 10);

    // Assess
    expect(pages).toBe(2);
    expect(keys).toHaveLength(total);
    expect(new Set(keys).size).toBe(total);
  });
});
