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
import { addExtension, Packr, Unpackr } from 'msgpackr';

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

/** Exported for tests that check other writers against msgpackr. */
export const MSGPACKR_OPTIONS = {
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

const packr = new Packr(MSGPACKR_OPTIONS);
const unpackr = new Unpackr(MSGPACKR_OPTIONS);

/**
 * msgpackr's bytes for one value the snapshot writer does not write itself (see
 * msgpack-writer.ts), Maps inside it turned into the Map extension first. Valid
 * until the next call: msgpackr reuses its buffer, so copy the bytes out at once.
 */
export function packOtherValue(value: unknown): Uint8Array {
  return packr.pack(encodeMaps(value));
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
