/**
 * msgpack for snapshot payloads. Standard msgpack maps decode as plain objects, so a
 * JS Map in user state would come back as an object (msgpackr without its records
 * extension cannot tell them apart). Maps therefore travel as extension type 0x6d
 * whose data is the array of [key, value] pairs, in insertion order.
 *
 * msgpackr's extension registry is process-wide; registering a private class keeps
 * everybody else's packing unchanged, and only adds a decoder for type 0x6d.
 *
 * Known losses, inherent to msgpack/msgpackr: -0 is stored as the integer 0, and an
 * object key "__proto__" comes back as "__proto_" (msgpackr's pollution guard).
 */
import { addExtension, Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';

/** The msgpack extension type of a JS Map inside snapshot values ('m'). */
export const MAP_EXTENSION_TYPE = 0x6d;

/** A Map on its way into msgpack; only this module creates them. */
class EncodedMap {
  constructor(readonly entries: Array<[unknown, unknown]>) {}
}

addExtension({
  Class: EncodedMap,
  type: MAP_EXTENSION_TYPE,
  write: (encoded: EncodedMap) => encoded.entries,
  read: (entries: unknown) => {
    if (!Array.isArray(entries))
      throw new TypeError(`expected an array of Map entries, found ${typeof entries}`);
    return new Map(entries as Array<[unknown, unknown]>);
  },
});

const options = {
  // Records would make bytes depend on what the encoder saw before: not deterministic.
  useRecords: false,
  // Plain objects stay plain objects; Maps come back through the extension above.
  mapsAsObjects: true,
  // Typed arrays keep their type (a Uint8Array is not turned into a Buffer), Sets too.
  moreTypes: true,
  structuredClone: false,
  // Objects with more than 65535 keys need map32; small objects get the 1-byte fixmap header.
  variableMapSize: true,
  // Decoded Buffers must not alias the snapshot bytes, which the caller may reuse.
  copyBuffers: true,
} as const;

const packr = new Packr(options);
const unpackr = new Unpackr(options);

/**
 * Above this size, packing starts in a fresh buffer sized from the previous payload.
 * msgpackr otherwise continues in the tail of its last buffer and grows it by 1.25x
 * steps, copying everything written so far at each step: for a 50 MB snapshot that
 * costs more than the packing itself.
 */
const PRESIZE_THRESHOLD_BYTES = 1 << 20;
let lastPackedSizeBytes = 0;

/**
 * Packs `value` behind `reservedBytes` of uninitialised space, so the caller can write
 * a header there without copying the payload. The result is a view into a buffer that
 * later packs never overwrite (they continue after it or move to a new buffer).
 */
export function packWithReservedStart(value: unknown, reservedBytes: number): Uint8Array {
  if (reservedBytes > 0xff) throw new RangeError(`at most 255 reserved bytes, asked for ${reservedBytes}`);
  if (lastPackedSizeBytes >= PRESIZE_THRESHOLD_BYTES) {
    packr.useBuffer(Buffer.allocUnsafeSlow(Math.ceil(lastPackedSizeBytes * 1.25) + 0x10000));
  }
  const packed = packr.pack(value, RESERVE_START_SPACE | reservedBytes);
  lastPackedSizeBytes = packed.byteLength;
  return packed;
}

/** Decodes exactly one msgpack value; trailing bytes are an error. */
export function unpackValue(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}

/**
 * Replaces every Map inside a user value by its encoded form, copying only the
 * objects and arrays on the path to a Map: state without Maps is passed through as is.
 */
export function encodeMaps(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Map) {
    const entries: Array<[unknown, unknown]> = [];
    for (const [key, entry] of value) entries.push([encodeMaps(key), encodeMaps(entry)]);
    return new EncodedMap(entries);
  }
  if (Array.isArray(value)) return encodeArrayMaps(value);
  if (value instanceof Set) {
    const items = Array.from(value);
    const encoded = encodeArrayMaps(items);
    return encoded === items ? value : new Set(encoded);
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    return encodeObjectMaps(value as Record<string, unknown>);
  }
  return value;
}

/**
 * encodeMaps for keyed state: the same result, but it skips the string keys and the
 * pair arrays, which holds millions of entries that are mostly primitives.
 */
export function encodeKeyedMaps(pairs: Array<[string, unknown]>): Array<[string, unknown]> {
  let copy: Array<[string, unknown]> | undefined;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    const value = pair[1];
    if (typeof value !== 'object' || value === null) continue;
    const encoded = encodeMaps(value);
    if (encoded !== value) {
      copy ??= pairs.slice();
      copy[i] = [pair[0], encoded];
    }
  }
  return copy ?? pairs;
}

function encodeArrayMaps(array: unknown[]): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    const encoded = encodeMaps(item);
    if (encoded !== item) {
      copy ??= array.slice();
      copy[i] = encoded;
    }
  }
  return copy ?? array;
}

function encodeObjectMaps(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    const item = object[key];
    const encoded = encodeMaps(item);
    if (encoded !== item) {
      copy ??= { ...object };
      copy[key] = encoded;
    }
  }
  return copy ?? object;
}
