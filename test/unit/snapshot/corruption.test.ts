import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { compressZstd } from '../../../core/snapshot/compression.js';
import { HEADER_OFFSET } from '../../../core/snapshot/format.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  readSnapshotHeader,
  SNAPSHOT_HEADER_SIZE_BYTES,
} from '../../../core/snapshot/index.js';
import {
  expectCorrupt,
  expectUnsupported,
  frameSnapshot,
  sampleContent,
  sampleMeta,
  withByte,
  withUint,
} from './snapshot-files.js';

const none = encodeSnapshot(sampleMeta, sampleContent(), { compression: 'none' });
const zstd = encodeSnapshot(sampleMeta, sampleContent(), { compression: 'zstd' });

describe.each([
  ['none', none],
  ['zstd', zstd],
] as const)('decodeSnapshot of a damaged %s snapshot', (_compression, bytes) => {
  it('rejects a flipped payload byte as a CRC mismatch naming both CRCs', () => {
    // Prepare
    const offset =
      SNAPSHOT_HEADER_SIZE_BYTES + Math.floor((bytes.byteLength - SNAPSHOT_HEADER_SIZE_BYTES) / 2);
    const damaged = withByte(bytes, offset, bytes[offset]! ^ 0x01);

    // Act
    const error = expectCorrupt(() => decodeSnapshot(damaged), 'CRC_MISMATCH');

    // Assess
    expect(error.message).toMatch(
      /expected payload CRC-32 0x[0-9a-f]{8} from the header, found 0x[0-9a-f]{8}/,
    );
  });

  it('rejects a flipped CRC byte as a CRC mismatch', () => {
    // Prepare
    const damaged = withByte(bytes, HEADER_OFFSET.payloadCrc32, bytes[HEADER_OFFSET.payloadCrc32]! ^ 0x80);

    // Act + Assess
    expectCorrupt(() => decodeSnapshot(damaged), 'CRC_MISMATCH');
  });

  it.each([0, 2, 4, 5, 6, 17, 29])(
    'rejects a file cut to %i bytes (inside the header) as truncated',
    (length) => {
      // Act
      const error = expectCorrupt(() => decodeSnapshot(bytes.subarray(0, length)), 'TRUNCATED');

      // Assess
      expect(error.message).toContain(`found only ${length} bytes`);
    },
  );

  it.each([0, 1, 0.5, -1])(
    'rejects a file cut inside the payload (payload fraction %s kept) as truncated',
    (kept) => {
      // Prepare
      const payloadBytes = bytes.byteLength - SNAPSHOT_HEADER_SIZE_BYTES;
      const length =
        SNAPSHOT_HEADER_SIZE_BYTES + (kept < 0 ? payloadBytes - 1 : Math.floor(payloadBytes * kept) - kept);

      // Act
      const error = expectCorrupt(() => decodeSnapshot(bytes.subarray(0, length)), 'TRUNCATED');

      // Assess
      expect(error.message).toContain(`expected ${payloadBytes} payload bytes`);
    },
  );

  it('rejects trailing bytes after the payload as a size mismatch', () => {
    // Prepare
    const longer = new Uint8Array(bytes.byteLength + 1);
    longer.set(bytes);

    // Act + Assess
    expectCorrupt(() => decodeSnapshot(longer), 'SIZE_MISMATCH');
  });

  it('rejects a wrong magic as not a snapshot, showing what was found', () => {
    // Prepare
    const damaged = withByte(bytes, 0, 0x47);

    // Act
    const error = expectCorrupt(() => decodeSnapshot(damaged), 'BAD_MAGIC');

    // Assess
    expect(error.message).toContain('"FLKS"');
    expect(error.message).toContain('474c4b53');
  });

  it('rejects a future format version, saying which version it found, which it reads, and to upgrade', () => {
    // Prepare
    const future = withUint(bytes, HEADER_OFFSET.formatVersion, 2, 2);

    // Act
    const error = expectUnsupported(() => decodeSnapshot(future), 'formatVersion', 2);

    // Assess
    expect(error.message).toContain('version 2');
    expect(error.message).toContain('up to version 1');
    expect(error.message).toContain('Upgrade the library');
  });

  it('rejects a future format version even when the rest of its header is unreadable by this build', () => {
    // Prepare: a later version may use another header layout; only magic and version are promised.
    const future = withUint(bytes, HEADER_OFFSET.formatVersion, 2, 300).subarray(0, 6);

    // Act + Assess
    expectUnsupported(() => readSnapshotHeader(future), 'formatVersion', 300);
  });

  it('rejects format version 0, which no release wrote, as corrupt', () => {
    // Act + Assess
    expectCorrupt(() => decodeSnapshot(withUint(bytes, HEADER_OFFSET.formatVersion, 2, 0)), 'BAD_HEADER');
  });

  it.each([0, 2, 255])('rejects unknown codec id %i as unsupported', (codecId) => {
    // Act
    const error = expectUnsupported(
      () => decodeSnapshot(withByte(bytes, HEADER_OFFSET.codecId, codecId)),
      'codec',
      codecId,
    );

    // Assess
    expect(error.message).toContain(`codec id ${codecId} is unknown`);
    expect(error.message).toContain('Upgrade the library');
  });

  it.each([2, 7, 255])('rejects unknown compression id %i as unsupported', (compressionId) => {
    // Act
    const error = expectUnsupported(
      () => decodeSnapshot(withByte(bytes, HEADER_OFFSET.compressionId, compressionId)),
      'compression',
      compressionId,
    );

    // Assess
    expect(error.message).toContain(`compression id ${compressionId} is unknown`);
  });

  it.each([1, 0x100, 0x8000])('rejects non-zero flags (%i) as a damaged header', (flags) => {
    // Act + Assess
    expectCorrupt(() => decodeSnapshot(withUint(bytes, HEADER_OFFSET.flags, 2, flags)), 'BAD_HEADER');
  });

  it('rejects a stored size beyond 2^53 as a damaged header', () => {
    // Act + Assess
    expectCorrupt(
      () => decodeSnapshot(withUint(bytes, HEADER_OFFSET.storedSize, 8, 2n ** 60n)),
      'BAD_HEADER',
    );
  });

  it('rejects a stored size larger than the bytes present as truncated, smaller as a size mismatch', () => {
    // Prepare: without compression both sizes must agree, so both move together.
    const { storedSizeBytes, compression } = readSnapshotHeader(bytes);
    const withStoredSize = (size: number) => {
      const damaged = withUint(bytes, HEADER_OFFSET.storedSize, 8, size);
      return compression === 'none' ? withUint(damaged, HEADER_OFFSET.uncompressedSize, 8, size) : damaged;
    };

    // Act + Assess
    expectCorrupt(() => decodeSnapshot(withStoredSize(storedSizeBytes + 1)), 'TRUNCATED');
    expectCorrupt(() => decodeSnapshot(withStoredSize(storedSizeBytes - 1)), 'SIZE_MISMATCH');
  });

  it('rejects an uncompressed size that does not match the payload', () => {
    // Prepare
    const uncompressed = readSnapshotHeader(bytes).uncompressedSizeBytes;

    // Act + Assess
    expectCorrupt(
      () => decodeSnapshot(withUint(bytes, HEADER_OFFSET.uncompressedSize, 8, uncompressed + 1)),
      'SIZE_MISMATCH',
    );
  });
});

describe('decodeSnapshot of a snapshot whose compression id was switched', () => {
  it('rejects an uncompressed payload declared as zstd as a decompression failure', () => {
    // Act + Assess
    expectCorrupt(
      () => decodeSnapshot(withByte(none, HEADER_OFFSET.compressionId, 1)),
      'DECOMPRESSION_FAILED',
    );
  });

  it('rejects a zstd payload declared as uncompressed as a size mismatch', () => {
    // Act + Assess
    expectCorrupt(() => decodeSnapshot(withByte(zstd, HEADER_OFFSET.compressionId, 0)), 'SIZE_MISMATCH');
  });
});

describe('decodeSnapshot of a well-framed file with a bad payload', () => {
  it('rejects bytes that are not a zstd frame as a decompression failure', () => {
    // Act + Assess
    expectCorrupt(
      () => decodeSnapshot(frameSnapshot(Uint8Array.of(1, 2, 3, 4, 5, 6), 'zstd', 6)),
      'DECOMPRESSION_FAILED',
    );
  });

  it('rejects a zstd frame that decompresses to another size than the header says', () => {
    // Prepare
    const payload = pack({ meta: sampleMeta, content: sampleContent() });
    const file = frameSnapshot(compressZstd(payload, 3), 'zstd', payload.byteLength + 10);

    // Act + Assess
    expectCorrupt(() => decodeSnapshot(file), 'SIZE_MISMATCH');
  });

  it.each([
    ['an empty payload', new Uint8Array(0)],
    ['a string cut short', Uint8Array.of(0xa5, 0x61, 0x62)],
    ['a cut-off msgpack map', Uint8Array.of(0x82, 0xa4, 0x6d)],
    ['two msgpack values', Uint8Array.of(0x01, 0x02)],
    ['an unknown msgpack extension', Uint8Array.of(0xd4, 0x55, 0x00)],
  ])('rejects %s as an undecodable payload', (_label, payload) => {
    // Act + Assess
    expectCorrupt(() => decodeSnapshot(frameSnapshot(payload, 'none')), 'UNDECODABLE_PAYLOAD');
  });
});

describe('readSnapshotHeader', () => {
  it('reads the header from the first 30 bytes alone, without the payload', () => {
    // Act
    const header = readSnapshotHeader(zstd.subarray(0, SNAPSHOT_HEADER_SIZE_BYTES));

    // Assess
    expect(header).toStrictEqual(decodeSnapshot(zstd).header);
  });

  it('rejects uncompressed and stored sizes that differ without compression', () => {
    // Prepare
    const damaged = withUint(none, HEADER_OFFSET.uncompressedSize, 8, 1);

    // Act + Assess
    expectCorrupt(() => readSnapshotHeader(damaged), 'SIZE_MISMATCH');
  });
});
