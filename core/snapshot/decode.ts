import { crc32 } from 'node:zlib';
import type { SnapshotMetadata, StateSnapshotContent } from '../state/snapshot-content.js';
import { decompressZstd } from './compression.js';
import { SnapshotCorruptError } from './errors.js';
import { readSnapshotHeader, SNAPSHOT_HEADER_SIZE_BYTES, type SnapshotHeader } from './format.js';
import { checkSnapshotPayload } from './payload-shape.js';
import { unpackValue } from './value-codec.js';

export interface DecodedSnapshot {
  header: SnapshotHeader;
  meta: SnapshotMetadata;
  content: StateSnapshotContent;
}

/**
 * Decodes a snapshot file, checking every layer (header, sizes, CRC, decompression,
 * msgpack, shape) before anything is returned: damaged bytes give a typed error,
 * never state. The decoded values do not share memory with `bytes`.
 */
export function decodeSnapshot(bytes: Uint8Array): DecodedSnapshot {
  const header = readSnapshotHeader(bytes);
  const stored = storedPayload(bytes, header);
  const foundCrc32 = crc32(stored);
  if (foundCrc32 !== header.payloadCrc32) {
    throw new SnapshotCorruptError(
      'CRC_MISMATCH',
      `expected payload CRC-32 ${hex32(header.payloadCrc32)} from the header, found ${hex32(foundCrc32)}`,
    );
  }
  const payload = header.compression === 'zstd' ? decompress(stored) : stored;
  if (payload.byteLength !== header.uncompressedSizeBytes) {
    throw new SnapshotCorruptError(
      'SIZE_MISMATCH',
      `expected ${header.uncompressedSizeBytes} payload bytes after decompression, found ${payload.byteLength}`,
    );
  }
  const { meta, content } = checkSnapshotPayload(unpack(payload));
  return { header, meta, content };
}

function storedPayload(bytes: Uint8Array, header: SnapshotHeader): Uint8Array {
  const foundBytes = bytes.byteLength - SNAPSHOT_HEADER_SIZE_BYTES;
  if (foundBytes < header.storedSizeBytes) {
    throw new SnapshotCorruptError(
      'TRUNCATED',
      `expected ${header.storedSizeBytes} payload bytes after the header, found only ${foundBytes}`,
    );
  }
  if (foundBytes > header.storedSizeBytes) {
    throw new SnapshotCorruptError(
      'SIZE_MISMATCH',
      `expected ${header.storedSizeBytes} payload bytes after the header, found ${foundBytes} ` +
        `(${foundBytes - header.storedSizeBytes} trailing bytes)`,
    );
  }
  return bytes.subarray(SNAPSHOT_HEADER_SIZE_BYTES);
}

function decompress(stored: Uint8Array): Uint8Array {
  try {
    return decompressZstd(stored);
  } catch (error) {
    throw new SnapshotCorruptError(
      'DECOMPRESSION_FAILED',
      `expected a valid zstd frame, found one zstd rejects (${message(error)})`,
      {
        cause: error,
      },
    );
  }
}

function unpack(payload: Uint8Array): unknown {
  try {
    return unpackValue(payload);
  } catch (error) {
    throw new SnapshotCorruptError(
      'UNDECODABLE_PAYLOAD',
      `expected exactly one msgpack value in the payload, found bytes msgpack cannot decode (${message(error)})`,
      { cause: error },
    );
  }
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
