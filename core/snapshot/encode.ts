import { crc32 } from 'node:zlib';
import { BadInputError, ConfigError } from '../errors/index.js';
import type { SnapshotMetadata, StateSnapshotContent } from '../state/snapshot-content.js';
import { compressZstd, DEFAULT_ZSTD_LEVEL, MAX_ZSTD_LEVEL, MIN_ZSTD_LEVEL } from './compression.js';
import { SNAPSHOT_HEADER_SIZE_BYTES, type SnapshotCompression, writeSnapshotHeader } from './format.js';
import { encodeKeyedMaps, encodeMaps, packWithReservedStart } from './value-codec.js';

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
 * is captured as a consistent cut, with no record applied half-way through it.
 * The result may be a view into a larger buffer: use its byteOffset and byteLength.
 */
export function encodeSnapshot(
  meta: SnapshotMetadata,
  content: StateSnapshotContent,
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

function packEnvelope(meta: SnapshotMetadata, content: StateSnapshotContent): Uint8Array {
  try {
    return packWithReservedStart(
      { meta: canonicalMeta(meta), content: encodeContentMaps(content) },
      SNAPSHOT_HEADER_SIZE_BYTES,
    );
  } catch (error) {
    throw new BadInputError(
      `Cannot encode the state of operator "${meta.operatorName}" (shard ${meta.shardId}) as msgpack: ` +
        `${error instanceof Error ? error.message : String(error)}. Expected state values made of ` +
        'numbers, strings, booleans, null, bigint, arrays, plain objects, Map, Set, Date ' +
        'and typed arrays; store other values in one of these forms.',
      { cause: error },
    );
  }
}

/** Fixed field order, so the bytes do not depend on how the caller built the object. */
function canonicalMeta(meta: SnapshotMetadata): SnapshotMetadata {
  const { jobId, shardId, checkpointId, sequenceNumber, operatorName, createdAtMs } = meta;
  return { jobId, shardId, checkpointId, sequenceNumber, operatorName, createdAtMs };
}

/** Only keyed and operator state hold user values (and so Maps); timers are walked by nobody. */
function encodeContentMaps(content: StateSnapshotContent): StateSnapshotContent {
  const keyed: StateSnapshotContent['keyed'] = {};
  for (const stateName in content.keyed) keyed[stateName] = encodeKeyedMaps(content.keyed[stateName]!);
  return {
    keyed,
    operator: encodeMaps(content.operator) as StateSnapshotContent['operator'],
    timers: content.timers,
    watermarkMs: content.watermarkMs,
    ...(content.outbox === undefined
      ? {}
      : {
          outbox: content.outbox.map(({ checkpointId, id, key, value }) => ({
            checkpointId,
            id,
            key,
            value: encodeMaps(value),
          })),
        }),
  };
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
