import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { COMPRESSION_IDS, HEADER_OFFSET, SNAPSHOT_HEADER_SIZE_BYTES } from '../../../core/snapshot/format.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  SnapshotCorruptError,
  SnapshotVersionUnsupportedError,
} from '../../../core/snapshot/index.js';
import { encodeMaps, MSGPACKR_OPTIONS } from '../../../core/snapshot/value-codec.js';
import type { SnapshotMetadata, StateSnapshotContent } from '../../../core/state/snapshot-content.js';
import { thrownBy, withByte } from './snapshot-files.js';

// -0 is excluded: msgpack stores it as the integer 0 (documented in value-codec.ts).
const finiteNumber = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .map((n) => (Object.is(n, -0) ? 0 : n));
const text = fc.string({ unit: 'binary', maxLength: 12 });
// msgpackr renames an object key "__proto__" (prototype pollution guard), so it cannot round-trip.
const objectKey = text.filter((key) => key !== '__proto__');

const { value: userValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    finiteNumber,
    fc.constant(Number.NaN),
    text,
    fc.boolean(),
    fc.constant(null),
    fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }),
    fc.uint8Array({ maxLength: 16 }),
    tie('array'),
    tie('object'),
    tie('map'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(objectKey, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  map: fc
    .array(fc.tuple(fc.oneof(text, fc.integer()), tie('value')), { maxLength: 4 })
    .map((entries) => new Map<unknown, unknown>(entries)),
}));

const timer = fc.record({ key: text, timestampMs: finiteNumber }, { noNullPrototype: true });

const contentArbitrary: fc.Arbitrary<StateSnapshotContent> = fc.record(
  {
    keyed: fc.dictionary(objectKey, fc.array(fc.tuple(text, userValue), { maxLength: 6 }), {
      maxKeys: 3,
      noNullPrototype: true,
    }),
    operator: fc.dictionary(objectKey, userValue, { maxKeys: 3, noNullPrototype: true }),
    timers: fc.record(
      { eventTime: fc.array(timer, { maxLength: 4 }), processingTime: fc.array(timer, { maxLength: 4 }) },
      { noNullPrototype: true },
    ),
    watermarkMs: fc.option(finiteNumber, { nil: null }),
  },
  { noNullPrototype: true },
);

const metaArbitrary: fc.Arbitrary<SnapshotMetadata> = fc.record(
  {
    jobId: text,
    shardId: text,
    checkpointId: fc.maxSafeNat(),
    sequenceNumber: fc.stringMatching(/^[0-9]{1,56}$/),
    operatorName: text,
    createdAtMs: finiteNumber,
  },
  { noNullPrototype: true },
);

const outboxArbitrary = fc.option(
  fc.array(
    fc.record(
      { checkpointId: fc.maxSafeNat(), id: text, key: text, value: userValue, extra: userValue },
      { noNullPrototype: true },
    ),
    { maxLength: 3 },
  ),
  { nil: undefined },
);

const compression = fc.constantFrom('none' as const, 'zstd' as const);

/** The v1 payload as msgpackr wrote it before the direct writer: the reference bytes. */
function msgpackrPayload(meta: SnapshotMetadata, content: StateSnapshotContent): Buffer {
  const { jobId, shardId, checkpointId, sequenceNumber, operatorName, createdAtMs } = meta;
  const { keyed, operator, timers, watermarkMs, outbox } = content;
  const envelope = {
    meta: { jobId, shardId, checkpointId, sequenceNumber, operatorName, createdAtMs },
    content: {
      keyed,
      operator,
      timers,
      watermarkMs,
      ...(outbox === undefined
        ? {}
        : { outbox: outbox.map(({ checkpointId, id, key, value }) => ({ checkpointId, id, key, value })) }),
    },
  };
  return Buffer.from(new Packr(MSGPACKR_OPTIONS).pack(encodeMaps(envelope)));
}

/**
 * What decoding must throw after byte `offset` of a v1 file changed from `before` to
 * `after`. Every single-byte change is detected: the CRC covers the payload, and each
 * header field is checked (flags must be 0, sizes must agree with the bytes present).
 */
function expectedRejection(offset: number, before: number, after: number) {
  if (offset === HEADER_OFFSET.formatVersion) {
    return after === 0 ? SnapshotCorruptError : SnapshotVersionUnsupportedError;
  }
  if (offset === HEADER_OFFSET.formatVersion + 1 || offset === HEADER_OFFSET.codecId) {
    return SnapshotVersionUnsupportedError;
  }
  if (offset === HEADER_OFFSET.compressionId) {
    const known = after === COMPRESSION_IDS.none || after === COMPRESSION_IDS.zstd;
    return known && before !== after ? SnapshotCorruptError : SnapshotVersionUnsupportedError;
  }
  return SnapshotCorruptError;
}

describe('snapshot format properties', () => {
  it('decodes any encoded content back to equal metadata and content', () => {
    fc.assert(
      fc.property(metaArbitrary, contentArbitrary, compression, (meta, content, chosen) => {
        // Act
        const decoded = decodeSnapshot(encodeSnapshot(meta, content, { compression: chosen }));

        // Assess
        expect(decoded.meta).toStrictEqual(meta);
        expect(decoded.content).toStrictEqual(content);
      }),
      { numRuns: 300 },
    );
  });

  it('writes the payload byte for byte as msgpackr did (the v1 bytes), for any content', () => {
    fc.assert(
      fc.property(metaArbitrary, contentArbitrary, outboxArbitrary, (meta, content, outbox) => {
        // Prepare
        const withOutbox = outbox === undefined ? content : { ...content, outbox };

        // Act
        const bytes = encodeSnapshot(meta, withOutbox, { compression: 'none' });

        // Assess
        const payload = Buffer.from(bytes.subarray(SNAPSHOT_HEADER_SIZE_BYTES));
        expect(payload.toString('hex')).toBe(msgpackrPayload(meta, withOutbox).toString('hex'));
      }),
      { numRuns: 500 },
    );
  });

  it('encodes equal input to identical bytes', () => {
    fc.assert(
      fc.property(
        metaArbitrary,
        contentArbitrary,
        contentArbitrary,
        compression,
        (meta, content, other, chosen) => {
          // Act
          const first = Uint8Array.from(encodeSnapshot(meta, content, { compression: chosen }));
          encodeSnapshot(meta, other, { compression: chosen });
          const second = encodeSnapshot(meta, content, { compression: chosen });

          // Assess
          expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
        },
      ),
    );
  });

  it('never decodes a file with one changed byte: it throws the error the changed field calls for', () => {
    fc.assert(
      fc.property(
        metaArbitrary,
        contentArbitrary,
        compression,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (meta, content, chosen, position, mask) => {
          // Prepare
          const bytes = encodeSnapshot(meta, content, { compression: chosen });
          const offset = position % bytes.byteLength;
          const before = bytes[offset]!;
          const damaged = withByte(bytes, offset, before ^ mask);

          // Act
          const error = thrownBy(() => decodeSnapshot(damaged));

          // Assess
          expect(error).toBeInstanceOf(expectedRejection(offset, before, before ^ mask));
          if (offset >= HEADER_OFFSET.payloadCrc32) {
            expect((error as SnapshotCorruptError).corruption).toBe('CRC_MISMATCH');
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('rejects every proper prefix of a file as truncated', () => {
    fc.assert(
      fc.property(metaArbitrary, contentArbitrary, compression, fc.nat(), (meta, content, chosen, cut) => {
        // Prepare
        const bytes = encodeSnapshot(meta, content, { compression: chosen });
        const length = cut % bytes.byteLength;

        // Act
        const error = thrownBy(() => decodeSnapshot(bytes.subarray(0, length)));

        // Assess
        expect(error).toBeInstanceOf(SnapshotCorruptError);
        expect((error as SnapshotCorruptError).corruption).toBe('TRUNCATED');
      }),
    );
  });

  it.each(['none', 'zstd'] as const)(
    'never decodes a %s file with any value in any header byte other than the original',
    (chosen) => {
      // Prepare: exhaustive over the header, where the CRC gives no protection.
      const bytes = encodeSnapshot(
        { jobId: 'j', shardId: 's', checkpointId: 1, sequenceNumber: '1', operatorName: 'o', createdAtMs: 0 },
        {
          keyed: { s: [['k', new Map([[1, 'v']])]] },
          operator: {},
          timers: { eventTime: [], processingTime: [] },
          watermarkMs: 5,
        },
        { compression: chosen },
      );
      const wrong: string[] = [];

      // Act
      for (let offset = 0; offset < SNAPSHOT_HEADER_SIZE_BYTES; offset++) {
        const before = bytes[offset]!;
        for (let after = 0; after < 256; after++) {
          if (after === before) continue;
          const error = thrownBy(() => decodeSnapshot(withByte(bytes, offset, after)));
          if (!(error instanceof expectedRejection(offset, before, after))) wrong.push(`${offset}=${after}`);
        }
      }

      // Assess
      expect(wrong).toEqual([]);
    },
  );
});
