import { crc32 } from 'node:zlib';
import { BadInputError, ConfigError } from '../errors/index.js';
import type { SnapshotMetadata, StateSnapshotView } from '../state/snapshot-content.js';
import { compressZstd, DEFAULT_ZSTD_LEVEL, MAX_ZSTD_LEVEL, MIN_ZSTD_LEVEL } from './compression.js';
import { SNAPSHOT_HEADER_SIZE_BYTES, type SnapshotCompression, writeSnapshotHeader } from './format.js';
import { MsgpackWriter } from './msgpack-writer.js';
import type { SnapshotOutputBuffer } from './output-buffer.js';
import { estimatePayloadBytes, writeSnapshotPayload } from './payload-writer.js';

export interface EncodeOptions {
  compression: SnapshotCompression;
  /** zstd level, 1..19; default 3. Ignored without zstd compression. */
  zstdLevel?: number;
  /**
   * This runtime's output memory, reused from its previous snapshot if those bytes
   * were released; the bytes returned then live in it until released (see
   * SnapshotOutputBuffer). Without it, every snapshot gets fresh memory.
   */
  output?: SnapshotOutputBuffer;
}

interface CompiledEncodeOptions {
  compression: SnapshotCompression;
  zstdLevel: number;
  output: SnapshotOutputBuffer | undefined;
}

/**
 * Encodes one shard's state into a snapshot file. Synchronous on purpose: the state
 * is captured as a consistent cut, with no record applied half-way through it, and
 * live tables in `content` (OperatorRuntime.snapshotView) are read before anything
 * can change them. The result may be a view into a larger buffer: use its
 * byteOffset and byteLength. With `options.output`, the caller owns the result
 * until it releases it to that output.
 */
export function encodeSnapshot(
  meta: SnapshotMetadata,
  content: StateSnapshotView,
  options: EncodeOptions,
): Uint8Array {
  const { compression, zstdLevel, output } = compileEncodeOptions(options);
  const { memory, byteLength } = packEnvelope(meta, content, output);
  const packed = memory.subarray(0, byteLength);
  const payload = packed.subarray(SNAPSHOT_HEADER_SIZE_BYTES);
  if (compression === 'none') {
    // The header goes into the space reserved in front: no copy of the payload.
    writeSnapshotHeader(packed, {
      compression,
      uncompressedSizeBytes: payload.byteLength,
      storedSizeBytes: payload.byteLength,
      payloadCrc32: crc32(payload),
    });
    if (output !== undefined) {
      output.keep(memory, true);
      return packed;
    }
    // The bytes may wait for their upload a while: do not keep a mostly empty buffer alive.
    const overAllocated = memory.byteLength > TRIM_ABOVE_BYTES && byteLength < memory.byteLength / 2;
    return overAllocated ? Buffer.from(packed) : packed;
  }
  const stored = compressZstd(payload, zstdLevel);
  // The payload is compressed into new memory: its own is free for the next snapshot at once.
  output?.keep(memory, false);
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

/** One writer for every snapshot (encoding is synchronous); see MsgpackWriter on why. */
const writer = new MsgpackWriter(Buffer.alloc(0));
/** And one for estimatePayloadBytes' samples, in memory of its own. */
const sampler = new MsgpackWriter(Buffer.alloc(0));
const SAMPLER_MEMORY = Buffer.allocUnsafeSlow(1 << 16);
/** Above this, a result that used less than half its fresh buffer is copied out (see below). */
const TRIM_ABOVE_BYTES = 1 << 20;
/** Room past the estimate, so a state a little larger than estimated needs no copy of the buffer. */
const ESTIMATE_SLACK = 1.25;

/**
 * Header space reserved in front, payload behind it: the header goes in without a copy.
 * Returns the memory written into, whose first `byteLength` bytes are the file.
 */
function packEnvelope(
  meta: SnapshotMetadata,
  content: StateSnapshotView,
  output: SnapshotOutputBuffer | undefined,
): { memory: Buffer; byteLength: number } {
  const entries = keyedEntryCount(content);
  try {
    // A runtime's earlier snapshots are the better guide; the first is sized from a sample.
    let estimateBytes: number;
    if (output !== undefined && !output.sizes.isEmpty) {
      estimateBytes = output.sizes.estimateBytes(entries);
    } else {
      sampler.reset(SAMPLER_MEMORY);
      estimateBytes = estimatePayloadBytes(sampler, content);
      sampler.detach();
    }
    const kept = output?.take(estimateBytes + (1 << 10));
    writer.reset(kept ?? Math.ceil(estimateBytes * ESTIMATE_SLACK) + (1 << 16), SNAPSHOT_HEADER_SIZE_BYTES);
    writeSnapshotPayload(writer, meta, content);
  } catch (error) {
    // Memory taken from the output stays with it, free: no bytes in it were handed out.
    writer.detach();
    sampler.detach();
    throw new BadInputError(
      `Cannot encode the state of operator "${meta.operatorName}" (shard ${meta.shardId}) as msgpack: ` +
        `${error instanceof Error ? error.message : String(error)}. Expected state values made of ` +
        'numbers, strings, booleans, null, bigint, arrays, plain objects, Map, Set, Date ' +
        'and typed arrays; store other values in one of these forms.',
      { cause: error },
    );
  }
  const byteLength = writer.position;
  output?.sizes.record(entries, byteLength);
  return { memory: writer.detach(), byteLength };
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
  return { compression, zstdLevel, output: options.output };
}
