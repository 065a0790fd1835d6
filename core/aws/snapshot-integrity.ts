import { createHash } from 'node:crypto';
import { BadInputError, CheckpointError, UploadCorruptedError } from '../errors/index.js';
import type { PutOptions, SnapshotRef } from '../ports/snapshot-store.js';

/**
 * Size and SHA-256 checks shared by every SnapshotStore, so the S3 adapter and
 * its in-memory double fail the same way with the same message. No SDK here.
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What S3's ChecksumSHA256 fields carry: the base64 of the raw digest. */
export function sha256Base64(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

export function hexToBase64(sha256: string): string {
  return Buffer.from(sha256, 'hex').toString('base64');
}

/** The SHA-256 an upload must match: the caller's (checked for shape), else that of the bytes handed over. */
export function uploadSha256(bytes: Uint8Array, options: PutOptions = {}): string {
  if (options.sha256 === undefined) return sha256Hex(bytes);
  if (!/^[0-9a-f]{64}$/.test(options.sha256)) {
    throw new BadInputError(
      `put options.sha256: expected 64 lowercase hex digits (a SHA-256), found ${JSON.stringify(options.sha256)}`,
    );
  }
  return options.sha256;
}

/**
 * Throws UploadCorruptedError unless `bytes` hash to `expectedSha256`: the check
 * S3 makes on a body against the ChecksumSHA256 sent with it. Nothing is stored.
 */
export function verifyUploadBytes(expectedSha256: string, bytes: Uint8Array, location: string): void {
  const foundSha256 = sha256Hex(bytes);
  if (foundSha256 === expectedSha256) return;
  throw new UploadCorruptedError(
    `upload of ${location} refused: expected bytes with SHA-256 ${expectedSha256} (what the caller hashed), ` +
      `received ${bytes.length} bytes with SHA-256 ${foundSha256}; nothing was stored: ` +
      'the bytes changed on the way, retry the upload',
  );
}

/** Throws CheckpointError('SNAPSHOT_CORRUPT') unless `bytes` are exactly what `ref` describes. */
export function verifySnapshotBytes(ref: SnapshotRef, bytes: Uint8Array, location: string): void {
  const foundSha256 = sha256Hex(bytes);
  if (bytes.length === ref.sizeBytes && foundSha256 === ref.sha256) return;
  throw new CheckpointError(
    'SNAPSHOT_CORRUPT',
    `snapshot ${location} is corrupt: expected ${ref.sizeBytes} bytes with SHA-256 ${ref.sha256}, ` +
      `found ${bytes.length} bytes with SHA-256 ${foundSha256}; ` +
      'do not restore from it: restore an older checkpoint or savepoint',
  );
}
