import { crc32 } from 'node:zlib';
import { BadInputError, ConfigError } from '../errors/index.js';
import type { SnapshotMetadata, StateSnapshotView } from '../state/snapshot-content.js';
import { compressZstd, DEFAULT_ZSTD_LEVEL, MAX_ZSTD_LEVEL, MIN_ZSTD_LEVEL } from './compression.js';
import { SNAPSHOT_HEADER_SIZE_BYTES, type SnapshotCompression, writeSnapshotHeader } from './format.js';
import { MsgpackWriter } from './msgpack-writer.js';
import { writeSnapshotPayload } from './payload-writer.js';

export interface EncodeOptions {
  compression: SnapshotCompression;
  /** zstd level, 1..19; default 3. Ignored without zstd compression. */
  zstdLevel?: number;
}

interface CompiledEncodeOptions {
  compression: SnapshotCompression;
  zstdLevel: number;
}

/**
 * Encodes one shard's state into a snapshot file. Synchronous on purpose: the state
 * is captured as a consistent cut, with no record applied half-way through it, and
 * live tables in `content` (OperatorRuntime.snapshotView) are read before anything
 * can change them. The result may be a view into a larger buffer: use its
 * byteOffset and byteLength.
 */
export function encodeSnapshot(
  meta: SnapshotMetadata,
  content: StateSnapshotView,
  options: EncodeOptions,
): Uint8Array {
  const { compression, zstdLevel } = compileEncodeOptions(options);
  const packed = packEnvelope(meta, content);
  const payload = packed.subarray(SNAPSHOT_HEADER_SIZE_BYTES);
  if (compression === 'none') {
    // The header goes into the space msgpackr reserved in front: no copy of the payload.
    writeSnapshotHeader(packed, {
      compression,
      uncompressedSizeBytes: payload.byteLength,
      storedSizeBytes: payload.byteLength,
      payloadCrc32: crc32(payload),
    });
    return packed;
  }
  const stored = compressZstd(payload, zstdLevel);
  const file = Buffer.allocUnsafe(SNAPSHOT_HEADER_SIZE_BYTES + stored.byteLength);
  file.set(stored, SNAPSHOT_HEADER_SIZE_BYTES);
  writeSnapshotHeader(file, {
    compression,
    uncompressedSizeBytes: payload.byteLength,
    storedSizeBytes: stored.byteLength,
    payloadCrc32: crc32(stored),
  });
  return file;
}

/**
 * The payload buffer is presized: growing it copies everything written so far, which
 * for 100 MB costs more than writing. The estimate is the previous snapshot's bytes per
 * keyed entry times this one's entries, capped at the previous size, so one large shard
 * does not make a later small one allocate as much, nor few large entries many small ones.
 */
let lastBytesPerEntry = 0;
let lastPayloadBytes = 0;
/** Above this, a result that used less than half its buffer is copied out (see below). */
const TRIM_ABOVE_BYTES = 1 << 20;

/** Header space reserved in front, payload behind it: the header goes in without a copy. */
function packEnvelope(meta: SnapshotMetadata, content: StateSnapshotView): Uint8Array {
  const entries = keyedEntryCount(content);
  const estimateBytes = Math.min(entries * lastBytesPerEntry, lastPayloadBytes);
  const writer = new MsgpackWriter(Math.ceil(estimateBytes * 1.25) + (1 << 16), SNAPSHOT_HEADER_SIZE_BYTES);
  try {
    writeSnapshotPayload(writer, meta, content);
  } catch (error) {
    throw new BadInputError(
      `Cannot encode the state of operator "${meta.operatorName}" (shard ${meta.shardId}) as msgpack: ` +
        `${error instanceof Error ? error.message : String(error)}. Expected state values made of ` +
        'numbers, strings, booleans, null, bigint, arrays, plain objects, Map, Set, Date ' +
        'and typed arrays; store other values in one of these forms.',
      { cause: error },
    );
  }
  const packed = writer.bytes();
  lastPayloadBytes = packed.byteLength;
  if (entries > 0) lastBytesPerEntry = packed.byteLength / entries;
  // The bytes may wait for their upload a while: do not keep a mostly empty buffer alive.
  const overAllocated =
    writer.capacityBytes > TRIM_ABOVE_BYTES && packed.byteLength < writer.capacityBytes / 2;
  return overAllocated ? Buffer.from(packed) : packed;
}

function keyedEntryCount(content: StateSnapshotView): number {
  let entries = 0;
  for (const name in content.keyed) {
    const state = content.keyed[name]!;
    entries += Array.isArray(state) ? state.length : state.table.size;
  }
  return entries;
}

function compileEncodeOptions(options: EncodeOptions): CompiledEncodeOptions {
  const { compression } = options;
  if (compression !== 'none' && compression !== 'zstd') {
    throw new ConfigError('compression', `expected 'none' or 'zstd', found ${JSON.stringify(compression)}`);
  }
  const zstdLevel = options.zstdLevel ?? DEFAULT_ZSTD_LEVEL;
  if (!Number.isInteger(zstdLevel) || zstdLevel < MIN_ZSTD_LEVEL || zstdLevel > MAX_ZSTD_LEVEL) {
    throw new ConfigError(
      'zstdLevel',
      `expected an integer from ${MIN_ZSTD_LEVEL} to ${MAX_ZSTD_LEVEL} (default ${DEFAULT_ZSTD_LEVEL}), ` +
        `found ${String(zstdLevel)}`,
    );
  }
  return { compression, zstdLevel };
}
