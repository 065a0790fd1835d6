import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type CheckpointError, StorageUnavailableError } from '../errors/index.js';
import { translateAwsError } from './errors.js';
import { type RetryPolicy, withRetry } from './retry-policy.js';
import { sha256Base64 } from './snapshot-integrity.js';

export interface MultipartTarget {
  client: S3Client;
  bucket: string;
  key: string;
  partSizeBytes: number;
  /** Parts in flight at once. */
  queueSize: number;
  retry: RetryPolicy;
}

/**
 * A multipart upload with a SHA-256 per part: S3 refuses (400 BadDigest) a part
 * whose bytes do not hash to the checksum we computed from `bytes` in memory, so
 * what lands is what we hold. SHA-256 multipart checksums are composite (a hash of
 * the part hashes), so S3 never checks the whole object's hash: the caller's is
 * checked in memory before the first part. Parts come straight from `bytes` (no
 * copy), each retried on its own; a failed upload is aborted so no parts dangle.
 */
export async function uploadMultipart(target: MultipartTarget, bytes: Uint8Array): Promise<void> {
  const { client, bucket, key, retry } = target;
  const location = `s3://${bucket}/${key}`;
  const created = await withRetry(retry, `CreateMultipartUpload ${location}`, () =>
    client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'SHA256' })),
  );
  const uploadId = created.UploadId;
  if (!uploadId) {
    throw new StorageUnavailableError(`CreateMultipartUpload ${location} returned no UploadId; retry`);
  }
  try {
    const parts = await uploadParts(target, uploadId, bytes, location);
    await withRetry(retry, `CompleteMultipartUpload ${location}`, () =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      ),
    );
  } catch (raw) {
    const error = translateAwsError(raw, `multipart upload of ${location}`);
    await abortMultipart(target, uploadId, error);
    throw error;
  }
}

async function uploadParts(
  target: MultipartTarget,
  uploadId: string,
  bytes: Uint8Array,
  location: string,
): Promise<CompletedPart[]> {
  const { client, bucket, key, partSizeBytes, retry } = target;
  const count = Math.max(1, Math.ceil(bytes.length / partSizeBytes));
  const parts: CompletedPart[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++;
      const PartNumber = index + 1;
      const body = bytes.subarray(index * partSizeBytes, (index + 1) * partSizeBytes);
      const ChecksumSHA256 = sha256Base64(body);
      try {
        const out = await withRetry(retry, `UploadPart ${PartNumber} of ${location}`, () =>
          client.send(
            new UploadPartCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber,
              Body: body,
              ContentLength: body.length,
              ChecksumSHA256,
            }),
          ),
        );
        parts[index] = { PartNumber, ETag: out.ETag, ChecksumSHA256 };
      } catch (error) {
        failed = true; // the other workers take no new part
        throw error;
      }
    }
  };
  // Settled first, so no part is still in flight when the caller aborts the upload.
  const outcomes = await Promise.allSettled(
    Array.from({ length: Math.min(target.queueSize, count) }, worker),
  );
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (rejected) throw rejected.reason;
  return parts;
}

async function abortMultipart(target: MultipartTarget, uploadId: string, failure: CheckpointError) {
  const { client, bucket, key, retry } = target;
  try {
    await withRetry(retry, `AbortMultipartUpload s3://${bucket}/${key}`, () =>
      client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })),
    );
  } catch (abortError) {
    // The upload's failure stays the error; the dangling parts are named for the
    // operator. An AbortIncompleteMultipartUpload lifecycle rule on the bucket removes them.
    failure.message += `; aborting multipart upload ${uploadId} also failed (${(abortError as Error).message}), its parts remain until the bucket's AbortIncompleteMultipartUpload lifecycle rule removes them`;
  }
}
