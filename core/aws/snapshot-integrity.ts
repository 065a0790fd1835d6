import { createHash } from 'node:crypto';
import { CheckpointError } from '../errors/index.js';
import type { SnapshotRef } from '../ports/snapshot-store.js';

/**
 * Size and SHA-256 checks shared by every SnapshotStore, so the S3 adapter and
 * its in-memory double fail the same way with the same message. No SDK here.
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
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
