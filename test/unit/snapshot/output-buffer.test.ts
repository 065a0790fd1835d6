import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors/index.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  type SnapshotCompression,
  SnapshotOutputBuffer,
} from '../../../core/snapshot/index.js';
import { emptySnapshotContent, type StateSnapshotContent } from '../../../core/state/snapshot-content.js';
import { sampleContent, sampleMeta, thrownBy } from './snapshot-files.js';

/** `entries` keyed entries whose values carry `label`, about 60 bytes each. */
function contentWith(label: string, entries: number): StateSnapshotContent {
  const content = emptySnapshotContent();
  content.keyed.s = Array.from({ length: entries }, (_, i) => [
    `key-${i}`,
    `${label}-${i}-${'x'.repeat(40)}`,
  ]);
  return content;
}

const encodeInto = (
  output: SnapshotOutputBuffer,
  content: StateSnapshotContent,
  compression: SnapshotCompression = 'none',
) => encodeSnapshot(sampleMeta, content, { compression, output });

describe('SnapshotOutputBuffer', () => {
  it('writes the next snapshot into the same memory once the previous bytes are released', () => {
    // Prepare
    const output = new SnapshotOutputBuffer();
    const first = encodeInto(output, contentWith('first', 20_000));
    expect(output.holdsBytes).toBe(true);

    // Act
    output.release(first);
    const second = encodeInto(output, contentWith('second', 20_000));

    // Assess
    expect(second.buffer).toBe(first.buffer);
    expect(decodeSnapshot(second).content).toStrictEqual(contentWith('second', 20_000));
  });

  it('never changes bytes still held: a snapshot taken meanwhile gets new memory', () => {
    // Prepare
    const output = new SnapshotOutputBuffer();
    const first = encodeInto(output, contentWith('first', 20_000));
    const copyOfFirst = Buffer.from(first);

    // Act
    const second = encodeInto(output, contentWith('second', 20_000));

    // Assess
    expect(second.buffer).not.toBe(first.buffer);
    expect(Buffer.from(first).equals(copyOfFirst)).toBe(true);
    expect(decodeSnapshot(first).content).toStrictEqual(contentWith('first', 20_000));
    expect(decodeSnapshot(second).content).toStrictEqual(contentWith('second', 20_000));
  });

  it('ignores the release of an older snapshot: the newer one it holds stays untouched', () => {
    // Prepare: the first is never released in time, the second got new memory.
    const output = new SnapshotOutputBuffer();
    const first = encodeInto(output, contentWith('first', 20_000));
    const second = encodeInto(output, contentWith('second', 20_000));
    const copyOfSecond = Buffer.from(second);

    // Act
    output.release(first);
    const third = encodeInto(output, contentWith('third', 20_000));

    // Assess
    expect(output.holdsBytes).toBe(true);
    expect(third.buffer).not.toBe(second.buffer);
    expect(Buffer.from(second).equals(copyOfSecond)).toBe(true);
  });

  it('writes the same bytes into reused memory as into fresh memory, after a larger snapshot left bytes behind', () => {
    // Prepare
    const output = new SnapshotOutputBuffer();
    output.release(encodeInto(output, contentWith('large', 30_000)));
    const smaller = contentWith('small', 20_000);

    // Act
    const reused = encodeInto(output, smaller);

    // Assess
    expect(
      Buffer.from(reused).equals(Buffer.from(encodeSnapshot(sampleMeta, smaller, { compression: 'none' }))),
    ).toBe(true);
  });

  it('keeps nothing held after a zstd snapshot, whose file lives apart from the payload memory', () => {
    // Prepare
    const output = new SnapshotOutputBuffer();
    const compressed = encodeInto(output, sampleContent(), 'zstd');
    const copyOfCompressed = Buffer.from(compressed);

    // Act
    const next = encodeInto(output, contentWith('next', 20_000));

    // Assess
    expect(compressed.buffer).not.toBe(next.buffer);
    expect(Buffer.from(compressed).equals(copyOfCompressed)).toBe(true);
    expect(decodeSnapshot(compressed).content).toStrictEqual(sampleContent());
  });

  it('lets go of memory far larger than the next snapshot needs', () => {
    // Prepare: about 4 MB, then about 6 KB.
    const output = new SnapshotOutputBuffer();
    const large = encodeInto(output, contentWith('large', 70_000));
    output.release(large);

    // Act
    const small = encodeInto(output, contentWith('small', 100));

    // Assess
    expect(large.buffer.byteLength).toBeGreaterThan(4 << 20);
    expect(small.buffer.byteLength).toBeLessThan(1 << 20);
    expect(output.capacityBytes).toBe(small.buffer.byteLength);
  });

  it('leaves bytes held before a snapshot that fails to encode untouched and held', () => {
    // Prepare
    const output = new SnapshotOutputBuffer();
    const first = encodeInto(output, contentWith('first', 1_000));
    const copyOfFirst = Buffer.from(first);
    const unencodable = contentWith('bad', 1_000);
    unencodable.keyed.bad = [['k', Symbol('not encodable')]];

    // Act
    const error = thrownBy(() => encodeInto(output, unencodable));

    // Assess
    expect(error).toBeInstanceOf(BadInputError);
    expect(output.holdsBytes).toBe(true);
    expect(Buffer.from(first).equals(copyOfFirst)).toBe(true);
  });
});
