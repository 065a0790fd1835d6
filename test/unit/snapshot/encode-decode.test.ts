import { describe, expect, it } from 'vitest';
import { BadInputError, ConfigError } from '../../../core/errors/index.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  readSnapshotHeader,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_HEADER_SIZE_BYTES,
  type SnapshotCompression,
  sha256Hex,
} from '../../../core/snapshot/index.js';
import { emptySnapshotContent } from '../../../core/state/snapshot-content.js';
import { sampleContent, sampleMeta, thrownBy } from './snapshot-files.js';

const compressions: SnapshotCompression[] = ['none', 'zstd'];

describe.each(compressions)('encodeSnapshot then decodeSnapshot with compression %s', (compression) => {
  it('returns the same metadata and content, with every value kind and type intact', () => {
    // Prepare
    const content = sampleContent();

    // Act
    const decoded = decodeSnapshot(encodeSnapshot(sampleMeta, content, { compression }));

    // Assess
    expect(decoded.meta).toStrictEqual(sampleMeta);
    expect(decoded.content).toStrictEqual(sampleContent());
    const structures = new Map(decoded.content.keyed.structures);
    expect(structures.get('map')).toBeInstanceOf(Map);
    expect((structures.get('map') as Map<unknown, unknown>).get(2)).toBe('two');
    expect(structures.get('bytes')?.constructor).toBe(Uint8Array);
    expect(decoded.content.operator.offsets).toBeInstanceOf(Map);
  });

  it('round-trips empty content', () => {
    // Prepare
    const content = emptySnapshotContent();

    // Act
    const decoded = decodeSnapshot(encodeSnapshot(sampleMeta, content, { compression }));

    // Assess
    expect(decoded.content).toStrictEqual(emptySnapshotContent());
  });

  it('reports the header it read: current version, msgpack, the chosen compression, consistent sizes', () => {
    // Prepare
    const bytes = encodeSnapshot(sampleMeta, sampleContent(), { compression });

    // Act
    const { header } = decodeSnapshot(bytes);

    // Assess
    expect(header).toStrictEqual(readSnapshotHeader(bytes));
    expect(header.formatVersion).toBe(SNAPSHOT_FORMAT_VERSION);
    expect(header.codec).toBe('msgpack');
    expect(header.compression).toBe(compression);
    expect(header.flags).toBe(0);
    expect(header.storedSizeBytes).toBe(bytes.byteLength - SNAPSHOT_HEADER_SIZE_BYTES);
    if (compression === 'none') expect(header.uncompressedSizeBytes).toBe(header.storedSizeBytes);
  });

  it('gives state that does not share memory with the snapshot bytes', () => {
    // Prepare
    const bytes = encodeSnapshot(sampleMeta, sampleContent(), { compression });
    const decoded = decodeSnapshot(bytes);

    // Act
    bytes.fill(0);

    // Assess
    expect(decoded.content).toStrictEqual(sampleContent());
  });

  it('produces identical bytes for equal input, whatever was encoded before', () => {
    // Prepare
    const first = Uint8Array.from(encodeSnapshot(sampleMeta, sampleContent(), { compression }));
    encodeSnapshot({ ...sampleMeta, jobId: 'other' }, emptySnapshotContent(), { compression });
    encodeSnapshot(sampleMeta, { ...sampleContent(), watermarkMs: 1 }, { compression });

    // Act
    const second = encodeSnapshot({ ...sampleMeta }, sampleContent(), { compression });

    // Assess
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });
});

describe('encodeSnapshot', () => {
  it('writes metadata fields in a fixed order, so key order in the caller object does not change the bytes', () => {
    // Prepare
    const reordered = {
      createdAtMs: sampleMeta.createdAtMs,
      operatorName: sampleMeta.operatorName,
      sequenceNumber: sampleMeta.sequenceNumber,
      checkpointId: sampleMeta.checkpointId,
      shardId: sampleMeta.shardId,
      jobId: sampleMeta.jobId,
    };

    // Act
    const a = encodeSnapshot(sampleMeta, sampleContent(), { compression: 'none' });
    const b = encodeSnapshot(reordered, sampleContent(), { compression: 'none' });

    // Assess
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
  });

  it('compresses repetitive state with zstd and still decodes it', () => {
    // Prepare
    const content = emptySnapshotContent();
    content.keyed.counts = Array.from({ length: 5_000 }, (_, i) => [`key-${i}`, { count: i, label: 'same' }]);

    // Act
    const none = encodeSnapshot(sampleMeta, content, { compression: 'none' });
    const zstd = encodeSnapshot(sampleMeta, content, { compression: 'zstd' });

    // Assess
    expect(zstd.byteLength).toBeLessThan(none.byteLength / 2);
    expect(decodeSnapshot(zstd).content).toStrictEqual(decodeSnapshot(none).content);
  });

  it.each([1, 19])('accepts zstd level %i, the ends of the allowed range', (zstdLevel) => {
    // Act
    const bytes = encodeSnapshot(sampleMeta, sampleContent(), { compression: 'zstd', zstdLevel });

    // Assess
    expect(decodeSnapshot(bytes).content).toStrictEqual(sampleContent());
  });

  it.each([0, 20, -1, 2.5, Number.NaN])(
    'refuses zstd level %s with a ConfigError naming the range',
    (zstdLevel) => {
      // Act
      const error = thrownBy(() =>
        encodeSnapshot(sampleMeta, sampleContent(), { compression: 'zstd', zstdLevel }),
      );

      // Assess
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path).toBe('zstdLevel');
      expect((error as Error).message).toContain('from 1 to 19');
    },
  );

  it('refuses an unknown compression with a ConfigError listing the allowed ones', () => {
    // Act
    const error = thrownBy(() =>
      encodeSnapshot(sampleMeta, sampleContent(), { compression: 'gzip' as SnapshotCompression }),
    );

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("'none' or 'zstd'");
    expect((error as Error).message).toContain('gzip');
  });

  it('refuses a state value msgpack cannot hold with a BadInputError naming the operator', () => {
    // Prepare
    const content = emptySnapshotContent();
    content.keyed.bad = [['k', Symbol('not encodable')]];

    // Act
    const error = thrownBy(() => encodeSnapshot(sampleMeta, content, { compression: 'none' }));

    // Assess
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as Error).message).toContain(sampleMeta.operatorName);
  });

  it.each([
    ['small', 10],
    ['multi-megabyte', 40_000],
  ])(
    'never overwrites the bytes of an earlier %s snapshot when encoding the next ones',
    (_label, entries) => {
      // Prepare
      const contentWith = (label: string) => {
        const content = emptySnapshotContent();
        content.keyed.s = Array.from({ length: entries }, (_, i) => [
          `key-${i}`,
          `${label}-${i}-${'x'.repeat(40)}`,
        ]);
        return content;
      };
      const first = encodeSnapshot(sampleMeta, contentWith('first'), { compression: 'none' });
      const copyOfFirst = Uint8Array.from(first);

      // Act
      const second = encodeSnapshot(sampleMeta, contentWith('second'), { compression: 'none' });
      encodeSnapshot(sampleMeta, contentWith('third'), { compression: 'none' });

      // Assess
      expect(Buffer.from(first).equals(Buffer.from(copyOfFirst))).toBe(true);
      expect(decodeSnapshot(first).content).toStrictEqual(contentWith('first'));
      expect(decodeSnapshot(second).content).toStrictEqual(contentWith('second'));
    },
  );

  it('does not hold a buffer sized for an earlier large snapshot in a later small one', () => {
    // Prepare: few large entries, then many small ones, then a single one.
    const large = emptySnapshotContent();
    large.keyed.s = [['big', 'x'.repeat(3 << 20)]];
    const many = emptySnapshotContent();
    many.keyed.s = Array.from({ length: 1_000 }, (_, i) => [`key-${i}`, i]);
    const single = emptySnapshotContent();
    single.keyed.s = [['one', 1]];
    encodeSnapshot(sampleMeta, large, { compression: 'none' });

    // Act
    const afterLarge = encodeSnapshot(sampleMeta, many, { compression: 'none' });
    encodeSnapshot(sampleMeta, large, { compression: 'none' });
    const afterLargeAgain = encodeSnapshot(sampleMeta, single, { compression: 'none' });

    // Assess
    expect(afterLarge.buffer.byteLength).toBeLessThan(1 << 20);
    expect(afterLargeAgain.buffer.byteLength).toBeLessThan(1 << 20);
    expect(decodeSnapshot(afterLarge).content).toStrictEqual(many);
    expect(decodeSnapshot(afterLargeAgain).content).toStrictEqual(single);
  });

  it('round-trips a state value that is an object with more than 65535 keys', () => {
    // Prepare
    const content = emptySnapshotContent();
    content.operator.seen = Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`id-${i}`, i]));

    // Act
    const decoded = decodeSnapshot(encodeSnapshot(sampleMeta, content, { compression: 'none' }));

    // Assess
    expect(Object.keys(decoded.content.operator.seen as object)).toHaveLength(70_000);
    expect(decoded.content).toStrictEqual(content);
  });

  it('leaves the caller state untouched when it holds Maps', () => {
    // Prepare
    const content = sampleContent();

    // Act
    encodeSnapshot(sampleMeta, content, { compression: 'none' });

    // Assess
    expect(content).toStrictEqual(sampleContent());
  });
});

describe('sha256Hex', () => {
  it('returns the lowercase hex SHA-256 of the bytes', () => {
    // Act
    const digest = sha256Hex(new TextEncoder().encode('abc'));

    // Assess
    expect(digest).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes only the view it is given, not the whole underlying buffer', () => {
    // Prepare
    const backing = new TextEncoder().encode('xxabcxx');

    // Act
    const digest = sha256Hex(backing.subarray(2, 5));

    // Assess
    expect(digest).toBe(sha256Hex(new TextEncoder().encode('abc')));
  });
});
