/**
 * The snapshot file layout, format version 1. All integers little-endian.
 *
 * | offset | size | field                  | value                                         |
 * |-------:|-----:|------------------------|-----------------------------------------------|
 * |      0 |    4 | magic                  | ASCII "FLKS"                                  |
 * |      4 |    2 | formatVersion (u16)    | 1                                             |
 * |      6 |    1 | codecId (u8)           | 1 = msgpack (msgpackr, no records extension)  |
 * |      7 |    1 | compressionId (u8)     | 0 = none, 1 = zstd (one frame, content size)  |
 * |      8 |    2 | flags (u16)            | 0; a v1 reader rejects any other value        |
 * |     10 |    8 | uncompressedSize (u64) | payload bytes after decompression             |
 * |     18 |    8 | storedSize (u64)       | payload bytes in this file                    |
 * |     26 |    4 | payloadCrc32 (u32)     | CRC-32 (zlib) of the stored payload           |
 * |     30 |    - | payload                | exactly storedSize bytes, nothing after       |
 *
 * The payload, once decompressed, is one msgpack value `{ meta: SnapshotMetadata,
 * content: StateSnapshotContent }` with plain maps for objects (no msgpackr records).
 * Inside user values, msgpackr extensions keep JS types: Map = ext 0x6d (ours, see
 * value-codec.ts), typed arrays = ext 0x74, Set = ext 0x73, bigint beyond 64 bits =
 * ext 0x42, undefined = ext 0, Date = the standard timestamp ext -1.
 * Only the magic and the version field are promised to stay at these offsets in
 * later versions; everything after them may change with the version.
 *
 * Why flags must be 0: no v1 writer sets one, so a non-zero value can only be damage
 * (the CRC does not cover the header). A future feature needing a flag bumps the
 * version, so that older readers refuse the file instead of misreading it.
 */
import { SnapshotCorruptError, SnapshotVersionUnsupportedError } from './errors.js';

export const SNAPSHOT_FORMAT_VERSION = 1;
export const SNAPSHOT_MAGIC = Uint8Array.of(0x46, 0x4c, 0x4b, 0x53); // "FLKS"
export const SNAPSHOT_HEADER_SIZE_BYTES = 30;

export const HEADER_OFFSET = {
  magic: 0,
  formatVersion: 4,
  codecId: 6,
  compressionId: 7,
  flags: 8,
  uncompressedSize: 10,
  storedSize: 18,
  payloadCrc32: 26,
} as const;

export type SnapshotCompression = 'none' | 'zstd';
export type SnapshotCodec = 'msgpack';

export const CODEC_IDS: Readonly<Record<SnapshotCodec, number>> = { msgpack: 1 };
export const COMPRESSION_IDS: Readonly<Record<SnapshotCompression, number>> = { none: 0, zstd: 1 };

export interface SnapshotHeader {
  formatVersion: number;
  codec: SnapshotCodec;
  compression: SnapshotCompression;
  flags: number;
  uncompressedSizeBytes: number;
  storedSizeBytes: number;
  payloadCrc32: number;
  headerSizeBytes: number;
}

/** Writes the header into the first SNAPSHOT_HEADER_SIZE_BYTES of `target`. */
export function writeSnapshotHeader(
  target: Uint8Array,
  fields: Pick<SnapshotHeader, 'compression' | 'uncompressedSizeBytes' | 'storedSizeBytes' | 'payloadCrc32'>,
): void {
  const view = new DataView(target.buffer, target.byteOffset, SNAPSHOT_HEADER_SIZE_BYTES);
  target.set(SNAPSHOT_MAGIC, HEADER_OFFSET.magic);
  view.setUint16(HEADER_OFFSET.formatVersion, SNAPSHOT_FORMAT_VERSION, true);
  view.setUint8(HEADER_OFFSET.codecId, CODEC_IDS.msgpack);
  view.setUint8(HEADER_OFFSET.compressionId, COMPRESSION_IDS[fields.compression]);
  view.setUint16(HEADER_OFFSET.flags, 0, true);
  view.setBigUint64(HEADER_OFFSET.uncompressedSize, BigInt(fields.uncompressedSizeBytes), true);
  view.setBigUint64(HEADER_OFFSET.storedSize, BigInt(fields.storedSizeBytes), true);
  view.setUint32(HEADER_OFFSET.payloadCrc32, fields.payloadCrc32, true);
}

/**
 * Reads and checks the header only (the first 30 bytes are enough), so inspection
 * tools can show a file's version, compression and sizes without decoding it.
 */
export function readSnapshotHeader(bytes: Uint8Array): SnapshotHeader {
  checkMagic(bytes);
  if (bytes.byteLength < HEADER_OFFSET.codecId) {
    throw truncatedHeader(bytes.byteLength);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const formatVersion = view.getUint16(HEADER_OFFSET.formatVersion, true);
  checkFormatVersion(formatVersion);
  if (bytes.byteLength < SNAPSHOT_HEADER_SIZE_BYTES) {
    throw truncatedHeader(bytes.byteLength);
  }
  const codecId = view.getUint8(HEADER_OFFSET.codecId);
  if (codecId !== CODEC_IDS.msgpack) {
    throw new SnapshotVersionUnsupportedError(
      'codec',
      codecId,
      `Snapshot codec id ${codecId} is unknown: this build reads codec id ${CODEC_IDS.msgpack} (msgpack) ` +
        `in format version ${SNAPSHOT_FORMAT_VERSION}. Upgrade the library to read this snapshot.`,
    );
  }
  const compression = compressionFromId(view.getUint8(HEADER_OFFSET.compressionId));
  const flags = view.getUint16(HEADER_OFFSET.flags, true);
  if (flags !== 0) {
    throw new SnapshotCorruptError(
      'BAD_HEADER',
      `expected header flags 0 in format version ${SNAPSHOT_FORMAT_VERSION}, found 0x${flags.toString(16)}`,
    );
  }
  const uncompressedSizeBytes = readSize(view, HEADER_OFFSET.uncompressedSize, 'uncompressed size');
  const storedSizeBytes = readSize(view, HEADER_OFFSET.storedSize, 'stored size');
  if (compression === 'none' && uncompressedSizeBytes !== storedSizeBytes) {
    throw new SnapshotCorruptError(
      'SIZE_MISMATCH',
      `expected equal uncompressed and stored sizes for an uncompressed payload, ` +
        `found ${uncompressedSizeBytes} and ${storedSizeBytes} bytes`,
    );
  }
  return {
    formatVersion,
    codec: 'msgpack',
    compression,
    flags,
    uncompressedSizeBytes,
    storedSizeBytes,
    payloadCrc32: view.getUint32(HEADER_OFFSET.payloadCrc32, true),
    headerSizeBytes: SNAPSHOT_HEADER_SIZE_BYTES,
  };
}

function checkMagic(bytes: Uint8Array): void {
  const available = Math.min(bytes.byteLength, SNAPSHOT_MAGIC.byteLength);
  for (let i = 0; i < available; i++) {
    if (bytes[i] !== SNAPSHOT_MAGIC[i]) {
      const found = Buffer.from(bytes.subarray(0, SNAPSHOT_MAGIC.byteLength)).toString('hex');
      throw new SnapshotCorruptError(
        'BAD_MAGIC',
        `expected the magic bytes "FLKS" (464c4b53) at offset 0, found ${found}: not a snapshot file`,
      );
    }
  }
  if (available < SNAPSHOT_MAGIC.byteLength) throw truncatedHeader(bytes.byteLength);
}

function checkFormatVersion(formatVersion: number): void {
  if (formatVersion === 0) {
    // No release ever wrote version 0, so this is damage, not a file from the future.
    throw new SnapshotCorruptError('BAD_HEADER', 'expected a format version >= 1, found 0');
  }
  if (formatVersion > SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotVersionUnsupportedError(
      'formatVersion',
      formatVersion,
      `Snapshot format version ${formatVersion} is newer than this build reads ` +
        `(up to version ${SNAPSHOT_FORMAT_VERSION}). Upgrade the library to read this snapshot.`,
    );
  }
}

function compressionFromId(compressionId: number): SnapshotCompression {
  if (compressionId === COMPRESSION_IDS.none) return 'none';
  if (compressionId === COMPRESSION_IDS.zstd) return 'zstd';
  throw new SnapshotVersionUnsupportedError(
    'compression',
    compressionId,
    `Snapshot compression id ${compressionId} is unknown: this build reads ids ` +
      `${COMPRESSION_IDS.none} (none) and ${COMPRESSION_IDS.zstd} (zstd) in format version ` +
      `${SNAPSHOT_FORMAT_VERSION}. Upgrade the library to read this snapshot.`,
  );
}

function readSize(view: DataView, offset: number, what: string): number {
  const size = view.getBigUint64(offset, true);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SnapshotCorruptError(
      'BAD_HEADER',
      `expected a ${what} below 2^53 bytes, found ${size} bytes at header offset ${offset}`,
    );
  }
  return Number(size);
}

function truncatedHeader(foundBytes: number): SnapshotCorruptError {
  return new SnapshotCorruptError(
    'TRUNCATED',
    `expected at least a ${SNAPSHOT_HEADER_SIZE_BYTES}-byte header, found only ${foundBytes} bytes`,
  );
}
