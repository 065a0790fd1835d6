import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256 of the whole snapshot file, as recorded in the checkpoint ack. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
