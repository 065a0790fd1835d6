/**
 * A msgpack writer for snapshot payloads that writes, byte for byte, what msgpackr
 * (with the options in value-codec.ts) writes for the same value, but faster on the
 * shapes state is made of: it walks live state tables without copying them into
 * [key, value] arrays first, and writes JSON-like values and Maps itself. Any other
 * value (Date, typed arrays, Set, bigint, class instances...) is handed to msgpackr
 * and its bytes copied in, so those keep exactly msgpackr's encoding.
 *
 * Golden files (test/fixtures/snapshots) and a property test against msgpackr guard
 * the "same bytes" promise: the snapshot format is a compatibility contract.
 */
import { MAP_EXTENSION_TYPE, packOtherValue } from './value-codec.js';

/** Room the writer keeps past `end`, so fixed-size writes need no check of their own. */
const SLACK_BYTES = 16;
const MIN_CAPACITY_BYTES = 1 << 16;
/** Object keys at index 0..15 and string values at index 0..15 each get a cache slot. */
const KEY_SLOTS = 16;
const SLOTS = 2 * KEY_SLOTS;
const SLOT_BYTES = 32;
const EMPTY = Buffer.alloc(0);

/**
 * Reusable (reset()) rather than made per snapshot, on purpose: V8 drops the hidden
 * classes of a class's instances at a full GC once none is alive, and with them all
 * the writer's optimized code, which then starts cold at every snapshot.
 */
export class MsgpackWriter {
  private buffer!: Buffer;
  private view!: DataView;
  /** Next byte to write (bench/snapshot-steps.ts rewinds it to time writes alone). */
  position = 0;
  /** Last position at which SLACK_BYTES still fit. */
  private end = 0;
  /**
   * Per slot: the last string written there and its bytes (see cachedString()). Kept
   * across reset(): the bytes of a string never change.
   */
  private readonly slotStrings: Array<string | undefined> = new Array(SLOTS).fill(undefined);
  private readonly slotLengths = new Uint8Array(SLOTS);
  private readonly slotWords = new DataView(new ArrayBuffer(SLOTS * SLOT_BYTES));
  /** False if someone made a property of Object.prototype enumerable: for-in would list it. */
  private forInIsOwnKeys = true;
  /** Whether `buffer` was allocated here (so nobody else can be reading it). */
  private ownsBuffer = false;

  /** See reset(). */
  constructor(target: number | Buffer, startBytes = 0) {
    this.reset(target, startBytes);
  }

  /**
   * Starts over, writing into `target` if given a buffer (into new memory if it runs
   * out), else into new memory of that capacity, after `startBytes` left for the caller.
   */
  reset(target: number | Buffer, startBytes = 0): void {
    this.ownsBuffer = typeof target === 'number';
    this.buffer =
      typeof target === 'number' ? Buffer.allocUnsafeSlow(Math.max(MIN_CAPACITY_BYTES, target)) : target;
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.position = startBytes;
    this.end = this.buffer.byteLength - SLACK_BYTES;
    this.forInIsOwnKeys = !hasEnumerableKeys(Object.prototype);
  }

  /** Hands over the memory written into (after any growth) and lets go of it. */
  detach(): Buffer {
    const memory = this.buffer;
    this.reset(EMPTY);
    return memory;
  }

  get capacityBytes(): number {
    return this.buffer.byteLength;
  }

  /** The bytes written so far, `startBytes` reserved ones included; a view, not a copy. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.position);
  }

  /** Any value, as msgpackr writes it; a Map becomes the snapshot Map extension. */
  value(value: unknown): void {
    if (this.position > this.end) this.grow(0);
    switch (typeof value) {
      case 'string':
        this.string(value);
        return;
      case 'number':
        this.number(value);
        return;
      case 'boolean':
        this.buffer[this.position++] = value ? 0xc3 : 0xc2;
        return;
      case 'undefined':
        // msgpackr's undefined: fixext 1 of type 0 with data 0.
        this.buffer[this.position++] = 0xd4;
        this.buffer[this.position++] = 0;
        this.buffer[this.position++] = 0;
        return;
      case 'object':
        if (value === null) this.buffer[this.position++] = 0xc0;
        else this.object(value);
        return;
      default:
        this.other(value);
    }
  }

  string(value: string): void {
    const length = value.length;
    // Room for the worst case: 3 UTF-8 bytes per UTF-16 unit, and a 5-byte header.
    if (this.position + length * 3 > this.end) this.grow(length * 3 + 5);
    const buffer = this.buffer;
    const start = this.position;
    // Short ASCII strings (most keys and ids): a plain loop beats a native call.
    if (length < 0x20) {
      let codes = 0;
      for (let i = 0; i < length; i++) {
        const code = value.charCodeAt(i);
        codes |= code;
        buffer[start + 1 + i] = code;
      }
      if (codes < 0x80) {
        buffer[start] = 0xa0 | length;
        this.position = start + 1 + length;
        return;
      }
    }
    this.utf8String(value);
  }

  private number(value: number): void {
    const buffer = this.buffer;
    if (value >>> 0 === value) {
      if (value < 0x80) {
        buffer[this.position++] = value;
      } else if (value < 0x100) {
        buffer[this.position++] = 0xcc;
        buffer[this.position++] = value;
      } else if (value < 0x10000) {
        buffer[this.position++] = 0xcd;
        buffer[this.position++] = value >> 8;
        buffer[this.position++] = value & 0xff;
      } else {
        buffer[this.position++] = 0xce;
        this.view.setUint32(this.position, value);
        this.position += 4;
      }
    } else if (value >> 0 === value) {
      if (value >= -0x20) {
        buffer[this.position++] = 0x100 + value;
      } else if (value >= -0x80) {
        buffer[this.position++] = 0xd0;
        buffer[this.position++] = value + 0x100;
      } else if (value >= -0x8000) {
        buffer[this.position++] = 0xd1;
        this.view.setInt16(this.position, value);
        this.position += 2;
      } else {
        buffer[this.position++] = 0xd2;
        this.view.setInt32(this.position, value);
        this.position += 4;
      }
    } else {
      buffer[this.position++] = 0xcb;
      this.view.setFloat64(this.position, value);
      this.position += 8;
    }
  }

  arrayHeader(length: number): void {
    if (this.position > this.end) this.grow(0);
    this.header(length, 0x90, 0xdc);
  }

  mapHeader(size: number): void {
    if (this.position > this.end) this.grow(0);
    this.header(size, 0x80, 0xde);
  }

  /** A Map as an array of [key, value] pairs (MapState's snapshot form), without the extension. */
  mapEntries(map: ReadonlyMap<unknown, unknown>): void {
    this.arrayHeader(map.size);
    map.forEach(writePair, this);
  }

  /** msgpackr's fixarray/array16/array32 or fixmap/map16/map32 header. */
  private header(length: number, fixType: number, type16: number): void {
    const buffer = this.buffer;
    if (length < 0x10) {
      buffer[this.position++] = fixType | length;
    } else if (length < 0x10000) {
      buffer[this.position++] = type16;
      buffer[this.position++] = length >> 8;
      buffer[this.position++] = length & 0xff;
    } else {
      buffer[this.position++] = type16 + 1;
      this.view.setUint32(this.position, length);
      this.position += 4;
    }
  }

  private object(value: object): void {
    if (Array.isArray(value)) {
      this.array(value);
    } else if (Object.getPrototypeOf(value) === Object.prototype && value.constructor === Object) {
      this.plainObject(value as Record<string, unknown>);
    } else if (value instanceof Map) {
      this.buffer[this.position++] = 0xd4;
      this.buffer[this.position++] = MAP_EXTENSION_TYPE;
      this.buffer[this.position++] = 0;
      this.mapEntries(value);
    } else {
      this.other(value);
    }
  }

  private array(value: readonly unknown[]): void {
    const length = value.length;
    this.arrayHeader(length);
    for (let i = 0; i < length; i++) this.value(value[i]);
  }

  /** msgpackr writes Object.keys; for-in gives the same keys without allocating an array. */
  private plainObject(value: Record<string, unknown>): void {
    if (!this.forInIsOwnKeys) {
      this.plainObjectByKeys(value);
      return;
    }
    if (this.position > this.end) this.grow(0);
    const headerAt = this.position++;
    let size = 0;
    for (const key in value) {
      if (size < KEY_SLOTS) this.cachedString(key, size);
      else this.string(key);
      const item = value[key];
      // Most values are numbers and strings: skip the general dispatch for them.
      if (typeof item === 'number') {
        if (this.position > this.end) this.grow(0);
        this.number(item);
      } else if (typeof item === 'string') {
        // Records often repeat a string field (the key they are stored under, a type).
        if (size < KEY_SLOTS) this.cachedString(item, KEY_SLOTS + size);
        else this.string(item);
      } else {
        this.value(item);
      }
      size++;
    }
    if (size < 0x10) {
      this.buffer[headerAt] = 0x80 | size;
      return;
    }
    // Rare: more than 15 keys need a 3- or 5-byte header; move the entries behind it.
    const extraBytes = size < 0x10000 ? 2 : 4;
    if (this.position + extraBytes > this.end) this.grow(extraBytes);
    const endAt = this.position + extraBytes;
    this.buffer.copyWithin(headerAt + 1 + extraBytes, headerAt + 1, this.position);
    this.position = headerAt;
    this.header(size, 0x80, 0xde);
    this.position = endAt;
  }

  /**
   * A string with a cache slot: records of one state mostly have the same keys in the
   * same order (for-in yields the same string instances), and often the same value in
   * some field, so the bytes last written from each slot are kept and copied when the
   * same string comes again there.
   */
  private cachedString(text: string, slot: number): void {
    const words = this.slotWords;
    const from = slot * SLOT_BYTES;
    if (this.slotStrings[slot] !== text) {
      const start = this.position;
      this.string(text);
      const length = this.position - start;
      if (length <= SLOT_BYTES) {
        // Whole words: the up to 3 bytes read past the end are inside the buffer's slack.
        const view = this.view;
        for (let offset = 0; offset < length; offset += 4) {
          words.setUint32(from + offset, view.getUint32(start + offset, true), true);
        }
        this.slotStrings[slot] = text;
        this.slotLengths[slot] = length;
      }
      return;
    }
    if (this.position + SLOT_BYTES > this.end) this.grow(SLOT_BYTES);
    // Four bytes per store; the few written past the string are overwritten by what follows.
    const view = this.view;
    const at = this.position;
    const length = this.slotLengths[slot]!;
    for (let offset = 0; offset < length; offset += 4) {
      view.setUint32(at + offset, words.getUint32(from + offset, true), true);
    }
    this.position = at + length;
  }

  private plainObjectByKeys(value: Record<string, unknown>): void {
    const keys = Object.keys(value);
    const length = keys.length;
    this.mapHeader(length);
    for (let i = 0; i < length; i++) {
      const key = keys[i]!;
      this.string(key);
      this.value(value[key]);
    }
  }

  /** A [key, value] pair, as a 2-element array. */
  pair(key: unknown, value: unknown): void {
    if (this.position > this.end) this.grow(0);
    this.buffer[this.position++] = 0x92;
    this.value(key);
    this.value(value);
  }

  /** msgpackr's layout: str8/16/32 by UTF-8 length, lone surrogates as U+FFFD (as Buffer.write). */
  private utf8String(value: string): void {
    const length = value.length;
    const headerBytes = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    const start = this.position;
    const written = this.buffer.write(value, start + headerBytes, 'utf8');
    const neededHeaderBytes = written < 0x20 ? 1 : written < 0x100 ? 2 : written < 0x10000 ? 3 : 5;
    if (neededHeaderBytes !== headerBytes) {
      // More UTF-8 bytes than UTF-16 units: the header grew, move the text behind it.
      this.buffer.copyWithin(start + neededHeaderBytes, start + headerBytes, start + headerBytes + written);
    }
    const buffer = this.buffer;
    if (neededHeaderBytes === 1) {
      buffer[start] = 0xa0 | written;
    } else if (neededHeaderBytes === 2) {
      buffer[start] = 0xd9;
      buffer[start + 1] = written;
    } else if (neededHeaderBytes === 3) {
      buffer[start] = 0xda;
      buffer[start + 1] = written >> 8;
      buffer[start + 2] = written & 0xff;
    } else {
      buffer[start] = 0xdb;
      this.view.setUint32(start + 1, written);
    }
    this.position = start + neededHeaderBytes + written;
  }

  /** Everything the writer does not write itself: msgpackr's own bytes for it. */
  private other(value: unknown): void {
    const packed = packOtherValue(value);
    if (this.position + packed.byteLength > this.end) this.grow(packed.byteLength);
    this.buffer.set(packed, this.position);
    this.position += packed.byteLength;
  }

  /** Moves to a buffer with room for `bytes` more (at least double): one copy per doubling. */
  private grow(bytes: number): void {
    const needed = this.position + bytes + SLACK_BYTES;
    const previous = this.buffer;
    const next = Buffer.allocUnsafeSlow(Math.max(needed, previous.byteLength * 2));
    previous.copy(next, 0, 0, this.position);
    this.buffer = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    this.end = next.byteLength - SLACK_BYTES;
    if (this.ownsBuffer) freeNow(previous);
    this.ownsBuffer = true;
  }
}

/** A module-level Map.forEach callback: a closure made per writer would start cold. */
function writePair(this: MsgpackWriter, value: unknown, key: unknown): void {
  this.pair(key, value);
}

/**
 * Gives an outgrown buffer's memory back at once instead of at some later GC: while
 * a large state's buffer doubles, the halves left behind would otherwise add up to
 * more than the state itself. Detaching (transfer) frees it; nothing else may view it.
 */
function freeNow(buffer: Buffer): void {
  const memory = buffer.buffer as ArrayBuffer & { transfer?: (newLength: number) => ArrayBuffer };
  if (buffer.byteOffset === 0 && buffer.byteLength === memory.byteLength) memory.transfer?.(0);
}

function hasEnumerableKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}
