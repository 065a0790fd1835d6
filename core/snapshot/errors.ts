import { CheckpointError, type CheckpointErrorOptions } from '../errors/index.js';

/** Which check a damaged snapshot failed; stable, for metrics and tests. */
export type SnapshotCorruption =
  | 'BAD_MAGIC'
  | 'TRUNCATED'
  | 'BAD_HEADER'
  | 'SIZE_MISMATCH'
  | 'CRC_MISMATCH'
  | 'DECOMPRESSION_FAILED'
  | 'UNDECODABLE_PAYLOAD'
  | 'BAD_SHAPE';

/**
 * The bytes are not a snapshot this format ever wrote, or were damaged in storage
 * or transfer. Retrying the same bytes cannot help; restore from another checkpoint.
 */
export class SnapshotCorruptError extends CheckpointError {
  readonly corruption: SnapshotCorruption;

  constructor(corruption: SnapshotCorruption, message: string, options: CheckpointErrorOptions = {}) {
    super(
      'SNAPSHOT_CORRUPT',
      `Snapshot corrupt (${corruption}): ${message}. Restore from another checkpoint or savepoint.`,
      options,
    );
    this.name = 'SnapshotCorruptError';
    this.corruption = corruption;
  }
}

/** The header field that names something this build cannot read. */
export type SnapshotHeaderField = 'formatVersion' | 'codec' | 'compression';

/**
 * The snapshot was written by a newer release (a later format version, or a codec or
 * compression this build does not know). The bytes may be fine: upgrade the library.
 */
export class SnapshotVersionUnsupportedError extends CheckpointError {
  readonly field: SnapshotHeaderField;
  readonly found: number;

  constructor(field: SnapshotHeaderField, found: number, message: string) {
    super('SNAPSHOT_VERSION_UNSUPPORTED', message);
    this.name = 'SnapshotVersionUnsupportedError';
    this.field = field;
    this.found = found;
  }
}
