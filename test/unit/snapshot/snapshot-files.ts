/** Shared inputs, byte surgery and error assertions for the snapshot format tests. */
import { crc32 } from 'node:zlib';
import { expect } from 'vitest';
import { CheckpointError } from '../../../core/errors/index.js';
import {
  SnapshotCorruptError,
  type SnapshotCorruption,
  type SnapshotHeaderField,
  SnapshotVersionUnsupportedError,
} from '../../../core/snapshot/errors.js';
import {
  SNAPSHOT_HEADER_SIZE_BYTES,
  type SnapshotCompression,
  writeSnapshotHeader,
} from '../../../core/snapshot/format.js';
import type { SnapshotMetadata, StateSnapshotContent } from '../../../core/state/snapshot-content.js';

export const sampleMeta: SnapshotMetadata = {
  jobId: 'job-a',
  shardId: 'shardId-000000000000',
  checkpointId: 7,
  sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
  operatorName: 'dedupe',
  createdAtMs: 1_700_000_000_123,
};

/** Every kind of user value the format promises to keep, in keyed and operator state. */
export function sampleContent(): StateSnapshotContent {
  return {
    keyed: {
      scalars: [
        ['int', 42],
        ['negative', -123_456],
        ['large', 2 ** 53 - 1],
        ['float', 0.1 + 0.2],
        ['string', 'héllo wörld ✓ 🚀'],
        ['empty-string', ''],
        ['true', true],
        ['null', null],
      ],
      structures: [
        ['object', { a: 1, nested: { deeper: [1, 'two', null, { three: 3 }] } }],
        ['array', [[], [1, [2, [3]]], {}]],
        ['bytes', Uint8Array.of(0, 1, 127, 128, 255)],
        ['empty-bytes', new Uint8Array(0)],
        [
          'map',
          new Map<unknown, unknown>([
            ['s', 1],
            [2, 'two'],
            ['inner', new Map([['x', { y: Uint8Array.of(9) }]])],
          ]),
        ],
        ['empty-map', new Map()],
        ['object-holding-map', { counts: new Map([['k', 1]]), list: [new Map([[1, 2]])] }],
      ],
      'empty-state': [],
    },
    operator: {
      offsets: new Map([['shard-1', 10]]),
      flushedAtMs: 1_700_000_000_000,
      blob: Uint8Array.of(1, 2),
    },
    timers: {
      eventTime: [
        { key: 'int', timestampMs: 1_700_000_060_000 },
        { key: 'map', timestampMs: 1_700_000_120_000 },
      ],
      processingTime: [{ key: 'object', timestampMs: 1_700_000_001_000 }],
    },
    watermarkMs: 1_699_999_999_000,
  };
}

/** A well-framed file (right sizes, right CRC) around any payload, to reach the later checks. */
export function frameSnapshot(
  stored: Uint8Array,
  compression: SnapshotCompression,
  uncompressedSizeBytes = stored.byteLength,
): Uint8Array {
  const file = new Uint8Array(SNAPSHOT_HEADER_SIZE_BYTES + stored.byteLength);
  file.set(stored, SNAPSHOT_HEADER_SIZE_BYTES);
  writeSnapshotHeader(file, {
    compression,
    uncompressedSizeBytes,
    storedSizeBytes: stored.byteLength,
    payloadCrc32: crc32(stored),
  });
  return file;
}

/** A copy of `bytes` with one byte replaced. */
export function withByte(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[offset] = value;
  return copy;
}

/** A copy of `bytes` with a little-endian integer written at `offset`. */
export function withUint(bytes: Uint8Array, offset: number, sizeBytes: 2 | 4 | 8, value: number | bigint) {
  const copy = Uint8Array.from(bytes);
  const view = new DataView(copy.buffer);
  if (sizeBytes === 2) view.setUint16(offset, Number(value), true);
  if (sizeBytes === 4) view.setUint32(offset, Number(value), true);
  if (sizeBytes === 8) view.setBigUint64(offset, BigInt(value), true);
  return copy;
}

/** The error `act` throws; fails the test when it returns normally. */
export function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}

/** Asserts `act` throws a SnapshotCorruptError of the given kind, and returns it. */
export function expectCorrupt(act: () => unknown, corruption: SnapshotCorruption): SnapshotCorruptError {
  const error = thrownBy(act);
  expect(error).toBeInstanceOf(SnapshotCorruptError);
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as SnapshotCorruptError).reason).toBe('SNAPSHOT_CORRUPT');
  expect((error as SnapshotCorruptError).retryable).toBe(false);
  expect((error as SnapshotCorruptError).corruption).toBe(corruption);
  return error as SnapshotCorruptError;
}

/** Asserts `act` throws a SnapshotVersionUnsupportedError about `field`, and returns it. */
export function expectUnsupported(act: () => unknown, field: SnapshotHeaderField, found: number) {
  const error = thrownBy(act);
  expect(error).toBeInstanceOf(SnapshotVersionUnsupportedError);
  expect((error as SnapshotVersionUnsupportedError).reason).toBe('SNAPSHOT_VERSION_UNSUPPORTED');
  expect((error as SnapshotVersionUnsupportedError).field).toBe(field);
  expect((error as SnapshotVersionUnsupportedError).found).toBe(found);
  return error as SnapshotVersionUnsupportedError;
}
