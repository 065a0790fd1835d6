import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { MsgpackWriter } from '../../../core/snapshot/msgpack-writer.js';
import { encodeMaps, MSGPACKR_OPTIONS, unpackValue } from '../../../core/snapshot/value-codec.js';

// The v1 payload as it was written before the direct writer: msgpackr over the value
// with its Maps turned into the Map extension. The writer must match it byte for byte.
const reference = new Packr(MSGPACKR_OPTIONS);
const msgpackrBytes = (value: unknown) => Buffer.from(reference.pack(encodeMaps(value)));

function written(value: unknown, capacityBytes = 0): Buffer {
  const writer = new MsgpackWriter(capacityBytes);
  writer.value(value);
  return Buffer.from(writer.bytes());
}

class Point {
  constructor(
    readonly x: number,
    readonly inner: Map<string, number>,
  ) {}
}

/** Lengths and values at every msgpack header and integer-width boundary. */
const boundaryNumber = fc.constantFrom(
  0,
  -0,
  0x7f,
  0x80,
  0xff,
  0x100,
  0xffff,
  0x10000,
  2 ** 32 - 1,
  2 ** 32,
  -0x20,
  -0x21,
  -0x80,
  -0x81,
  -0x8000,
  -0x8001,
  -(2 ** 31),
  -(2 ** 31) - 1,
  Number.MAX_SAFE_INTEGER,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  0.1,
);
// Any UTF-16 code units, lone surrogates included, around the fixstr and str8 limits.
const anyText = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 })
  .map((units) => String.fromCharCode(...units));
const asciiText = fc.string({ maxLength: 300 });

const { value: anyValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.double(),
    boundaryNumber,
    anyText,
    asciiText,
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }),
    fc.uint8Array({ maxLength: 20 }),
    fc.float64Array({ maxLength: 4 }),
    fc.date({ noInvalidDate: true }),
    tie('array'),
    tie('object'),
    tie('map'),
    tie('set'),
    tie('instance'),
    tie('nullPrototype'),
  ),
  array: fc.array(tie('value'), { maxLength: 20 }),
  object: fc.dictionary(fc.oneof(anyText, fc.constantFrom('id', '0', '17')), tie('value'), {
    maxKeys: 20,
    noNullPrototype: true,
  }),
  map: fc
    .array(fc.tuple(fc.oneof(anyText, fc.integer(), tie('value')), tie('value')), { maxLength: 5 })
    .map((entries) => new Map<unknown, unknown>(entries)),
  set: fc.array(tie('value'), { maxLength: 4 }).map((items) => new Set(items)),
  instance: fc
    .tuple(fc.integer(), fc.array(fc.tuple(fc.string(), fc.integer()), { maxLength: 3 }))
    .map(([x, entries]) => new Point(x, new Map(entries))),
  nullPrototype: fc
    .dictionary(fc.string(), tie('value'), { maxKeys: 3, noNullPrototype: true })
    .map((object) => Object.assign(Object.create(null), object)),
}));

describe('MsgpackWriter', () => {
  it('writes any value byte for byte as msgpackr did (Maps as the Map extension)', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        // Act
        const bytes = written(value);

        // Assess
        expect(bytes.toString('hex')).toBe(msgpackrBytes(value).toString('hex'));
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes the same bytes when it has to grow its buffer many times', () => {
    // Prepare: far more than the initial 64 KB, with every kind of write crossing the end.
    const value = Array.from({ length: 5_000 }, (_, i) => ({
      id: `user-${i}`,
      text: 'é'.repeat(i % 300),
      at: 1_700_000_000_000 + i,
      tags: new Map([[i, [i, -i, i / 3]]]),
    }));

    // Act
    const bytes = written(value);

    // Assess
    expect(bytes.byteLength).toBeGreaterThan(1 << 17);
    expect(bytes.equals(msgpackrBytes(value))).toBe(true);
  });

  it('writes strings whose UTF-8 length needs a longer header than their UTF-16 length', () => {
    // Prepare: 31 units but 33+ bytes (str8, not fixstr); 255 vs 256+; 65535 vs 65536+.
    const values = [
      'é'.repeat(16) + 'a'.repeat(15),
      `${'a'.repeat(254)}é`,
      `${'a'.repeat(65_534)}é`,
      '\ud800',
    ];

    // Act + Assess
    for (const value of values) expect(written(value).equals(msgpackrBytes(value))).toBe(true);
  });

  it('writes objects with more than 15 and more than 65535 keys, and reuses their cached keys afterwards', () => {
    // Prepare: the large object's keys are cached, then moved when its header grows.
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key-${i}`, i]));
    const huge = Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, i]));
    const value = [wide, { 'key-3': 'again', 'key-19': [wide] }, huge, { k5: 5 }];

    // Act
    const bytes = written(value);

    // Assess
    expect(bytes.equals(msgpackrBytes(value))).toBe(true);
    expect(unpackValue(bytes)).toStrictEqual(value);
  });

  it('writes only own keys even when Object.prototype has an enumerable property', () => {
    // Prepare
    const value = [{ a: 1, b: { c: 2 } }];
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      // Act
      const bytes = written(value);

      // Assess
      expect(bytes.equals(msgpackrBytes(value))).toBe(true);
    } finally {
      delete (Object.prototype as { polluted?: number }).polluted;
    }
  });

  it('writes a Map as plain [key, value] pairs with mapEntries (the MapState snapshot form)', () => {
    // Prepare
    const map = new Map<unknown, unknown>([
      ['a', 1],
      [2, new Map([['nested', true]])],
    ]);
    const writer = new MsgpackWriter(0);

    // Act
    writer.mapEntries(map);

    // Assess
    expect(Buffer.from(writer.bytes()).equals(msgpackrBytes(Array.from(map)))).toBe(true);
  });

  it('leaves the first startBytes of the buffer for the caller', () => {
    // Prepare
    const writer = new MsgpackWriter(0, 30);

    // Act
    writer.value({ a: 1 });

    // Assess
    expect(writer.bytes().byteLength).toBe(30 + msgpackrBytes({ a: 1 }).byteLength);
    expect(Buffer.from(writer.bytes().subarray(30)).equals(msgpackrBytes({ a: 1 }))).toBe(true);
  });

  it("writes msgpackr's bytes again after reset(), with the keys cached by the earlier value", () => {
    // Prepare
    const writer = new MsgpackWriter(0);
    writer.value([{ id: 1, name: 'a' }]);
    const next = [
      { id: 2, name: 'b' },
      { name: 'c', id: 3 },
    ];

    // Act
    writer.reset(0, 4);
    writer.value(next);

    // Assess
    expect(Buffer.from(writer.bytes().subarray(4)).equals(msgpackrBytes(next))).toBe(true);
  });

  it('notices at reset() that Object.prototype gained an enumerable property since construction', () => {
    // Prepare
    const writer = new MsgpackWriter(0);
    const value = { a: 1 };
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      // Act
      writer.reset(0);
      writer.value(value);

      // Assess
      expect(Buffer.from(writer.bytes()).equals(msgpackrBytes(value))).toBe(true);
    } finally {
      delete (Object.prototype as { polluted?: number }).polluted;
    }
  });

  it('frees the memory it outgrows at once when it allocated it, but leaves a buffer it was given intact', () => {
    // Prepare
    const given = Buffer.alloc(64, 7);
    const onGiven = new MsgpackWriter(given);
    const onOwn = new MsgpackWriter(0);
    onOwn.value('first');
    const viewOfOwn = onOwn.bytes();
    const value = Array.from({ length: 30_000 }, (_, i) => `item-${i}`);

    // Act
    onGiven.value(value);
    onOwn.value(value);

    // Assess: a view of the writer's own outgrown buffer is detached (its memory freed).
    expect(viewOfOwn.byteLength).toBe(0);
    expect(given.byteLength).toBe(64);
    expect(Buffer.from(onGiven.bytes()).equals(msgpackrBytes(value))).toBe(true);
    expect(
      Buffer.from(onOwn.bytes()).equals(Buffer.concat([msgpackrBytes('first'), msgpackrBytes(value)])),
    ).toBe(true);
  });

  it('detaches: hands over its memory and keeps no reference to it', () => {
    // Prepare
    const writer = new MsgpackWriter(0);
    writer.value('kept');

    // Act
    const memory = writer.detach();
    writer.value('next');

    // Assess
    expect(memory.subarray(0, 5).equals(msgpackrBytes('kept'))).toBe(true);
    expect(writer.bytes().buffer).not.toBe(memory.buffer);
  });

  it('writes repeated, alternating and changing string values of object fields as msgpackr does (cached per field)', () => {
    // Prepare: the same value many times, equal values in distinct strings, values too
    // long for a cache slot, non-ASCII, and a field that changes every time.
    const long = 'x'.repeat(40);
    const value = Array.from({ length: 200 }, (_, i) => ({
      userId: `user-${Math.floor(i / 20)}`,
      kind: i % 3 === 0 ? 'click' : 'view',
      note: i % 2 === 0 ? long : `${long}${i}`,
      city: i % 5 === 0 ? 'Zürich' : 'Basel',
      id: `id-${i}`,
    }));

    // Act
    const bytes = written(value);

    // Assess
    expect(bytes.equals(msgpackrBytes(value))).toBe(true);
  });
});
