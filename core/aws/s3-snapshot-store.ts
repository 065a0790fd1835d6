import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CheckpointError,
  ConfigError,
  isCheckpointError,
  NotFoundError,
  StorageUnavailableError,
} from '../errors/index.js';
import type { PutOptions, SnapshotRef, SnapshotStore, StoredObject } from '../ports/snapshot-store.js';
import { isAccessDenied, translateAwsError } from './errors.js';
import { type RetryOptions, type RetryPolicy, retryPolicy, type Sleep, withRetry } from './retry-policy.js';
import { uploadMultipart } from './s3-multipart-upload.js';
import { hexToBase64, uploadSha256, verifySnapshotBytes, verifyUploadBytes } from './snapshot-integrity.js';

export interface S3SnapshotStoreOptions {
  client: S3Client;
  bucket: string;
  /** state.backend.fs.write-buffer-size: multipart parts are max(5 MiB, this). Default 4096. */
  writeBufferSizeBytes?: number;
  /** Bodies of at least this size go up as a multipart upload. Default 5 MiB. */
  multipartThresholdBytes?: number;
  retry?: RetryOptions;
  sleep?: Sleep;
}

const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;
const DELETE_BATCH_KEYS = 1_000;
const UPLOAD_QUEUE_SIZE = 3;

function positive(path: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 1) {
    throw new ConfigError(path, `expected a positive integer number of bytes, found ${String(value)}`);
  }
  return resolved;
}

/**
 * CheckpointStorage on S3. Keys are written once (a fresh uuid per snapshot), so
 * an interrupted upload leaves at most an orphan for the GC, never a changed file.
 */
export class S3SnapshotStore implements SnapshotStore {
  readonly bucket: string;
  readonly partSizeBytes: number;
  readonly multipartThresholdBytes: number;
  private readonly client: S3Client;
  private readonly retry: RetryPolicy;

  constructor(options: S3SnapshotStoreOptions) {
    if (!options.bucket) throw new ConfigError('bucket', 'expected an S3 bucket name, found an empty value');
    this.client = options.client;
    this.bucket = options.bucket;
    const writeBufferSizeBytes = positive('writeBufferSizeBytes', options.writeBufferSizeBytes, 4096);
    this.partSizeBytes = Math.max(MIN_PART_SIZE_BYTES, writeBufferSizeBytes);
    this.multipartThresholdBytes = positive(
      'multipartThresholdBytes',
      options.multipartThresholdBytes,
      MIN_PART_SIZE_BYTES,
    );
    this.retry = retryPolicy(options.retry, options.sleep);
  }

  /**
   * Every upload carries a SHA-256 that S3 checks before storing anything (400
   * BadDigest otherwise, retried: corruption in transit goes away when the same
   * bytes are sent again), so the returned ref is as good as a read-back.
   */
  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<SnapshotRef> {
    const ref: SnapshotRef = { key, sha256: uploadSha256(bytes, options), sizeBytes: bytes.length };
    const location = this.location(key);
    if (bytes.length >= this.multipartThresholdBytes) {
      if (options.sha256 !== undefined) verifyUploadBytes(ref.sha256, bytes, location);
      await uploadMultipart(
        {
          client: this.client,
          bucket: this.bucket,
          key,
          partSizeBytes: this.partSizeBytes,
          queueSize: UPLOAD_QUEUE_SIZE,
          retry: this.retry,
        },
        bytes,
      );
    } else {
      await withRetry(this.retry, `PutObject ${location} (SHA-256 ${ref.sha256})`, () =>
        this.putObject(ref, bytes),
      );
    }
    return ref;
  }

  async get(ref: SnapshotRef): Promise<Uint8Array> {
    const location = this.location(ref.key);
    let bytes: Uint8Array;
    try {
      bytes = await withRetry(this.retry, `GetObject ${location}`, async () => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: ref.key }));
        if (!out.Body) throw new StorageUnavailableError(`GetObject ${location} returned no body; retry`);
        return out.Body.transformToByteArray();
      });
    } catch (error) {
      throw isAccessDenied(error) ? await this.notFoundIfAbsent(ref.key, error) : error;
    }
    verifySnapshotBytes(ref, bytes, location);
    return bytes;
  }

  async getObject(key: string): Promise<Uint8Array> {
    const location = this.location(key);
    return withRetry(this.retry, `GetObject ${location}`, async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new StorageUnavailableError(`GetObject ${location} returned no body; retry`);
      return out.Body.transformToByteArray();
    });
  }

  async delete(keys: string[]): Promise<void> {
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += DELETE_BATCH_KEYS) {
      await this.deleteBatch(unique.slice(i, i + DELETE_BATCH_KEYS));
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await withRetry(this.retry, `ListObjectsV2 ${this.location(prefix)}`, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key,
          sizeBytes: object.Size ?? 0,
          lastModifiedMs: object.LastModified?.getTime() ?? 0,
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * S3 answers a GetObject of a missing key with 403 AccessDenied, not 404, to a caller whose
   * s3:ListBucket does not cover the key (serverless.yml scopes it to the job's prefixes).
   * A LIST of the key itself, which that grant allows, tells a missing snapshot (NOT_FOUND,
   * which restore and completion handle) from a real denial (the 403 stays the error).
   */
  private async notFoundIfAbsent(key: string, denied: unknown): Promise<unknown> {
    const location = this.location(key);
    try {
      const page = await withRetry(this.retry, `ListObjectsV2 ${location}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: key, MaxKeys: 1 })),
      );
      // The key itself sorts first among the keys it prefixes.
      if (page.Contents?.[0]?.Key === key) return denied;
    } catch {
      return denied;
    }
    return new NotFoundError(
      `GetObject ${location}: S3 answered 403 AccessDenied and a LIST of the key finds no such object: the snapshot does not exist`,
      { cause: denied },
    );
  }

  private location(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  /**
   * IfNoneMatch makes the write-once contract hold on real S3. A 412 then means
   * the key exists: our own earlier attempt whose response was lost (same bytes:
   * success) or a reused key (different bytes: refuse). s3rver accepts the header
   * without error and ignores it (tested), so there the last writer wins.
   */
  private async putObject(ref: SnapshotRef, bytes: Uint8Array): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: ref.key,
          Body: bytes,
          ContentLength: bytes.length,
          ChecksumSHA256: hexToBase64(ref.sha256),
          IfNoneMatch: '*',
        }),
      );
    } catch (raw) {
      const error = translateAwsError(raw, `PutObject ${this.location(ref.key)}`);
      if (!isCheckpointError(error, 'CONDITION_FAILED')) throw error;
      await this.acceptExisting(ref, error);
    }
  }

  private async acceptExisting(ref: SnapshotRef, conflict: CheckpointError): Promise<void> {
    try {
      await this.get(ref);
    } catch (error) {
      if (!isCheckpointError(error, 'SNAPSHOT_CORRUPT')) throw error;
      throw new CheckpointError(
        'CONDITION_FAILED',
        `${this.location(ref.key)} already holds different bytes: snapshot keys are written once, ` +
          'build a new key (fresh unique id) for every snapshot',
        { cause: conflict },
      );
    }
  }

  private async deleteBatch(keys: string[]): Promise<void> {
    const operation = `DeleteObjects in s3://${this.bucket} (${keys.length} keys)`;
    await withRetry(this.retry, operation, async () => {
      const out = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      // Absent keys are fine (deletes are retried); anything else is retried as a whole batch.
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new StorageUnavailableError(
          `${operation}: ${failed.length} keys were not deleted, first ${first.Key}: ${first.Code} (${first.Message}); retry`,
        );
      }
    });
  }
}
