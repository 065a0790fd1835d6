import { describe, expect, it } from 'vitest';
import type { ReplayStart, StreamReader, StreamRecord } from '../../../core/ports/stream.js';
import { isAfter, maxSequence, readThrough, successor } from '../../../core/processing/sequence.js';

// Kinesis-like: 56 decimal digits, beyond Number's exact range.
const A = '49590338271490256608559692538361571095921575989136588898';
const A_PLUS_1 = '49590338271490256608559692538361571095921575989136588899';
const B = '49590338271490256608559692540925702759324208523137515618';
const SHORT = '9999999999';

describe('isAfter', () => {
  it.each([
    [A_PLUS_1, A, true],
    [A, A_PLUS_1, false],
    [A, A, false],
    [B, A, true],
    // A longer number is larger, whatever its leading digits.
    [A, SHORT, true],
    [SHORT, A, false],
    ['10', '9', true],
    ['9', '10', false],
  ])('isAfter(%s, %s) is %s', (sequenceNumber, position, expected) => {
    // Act / Assess
    expect(isAfter(sequenceNumber, position)).toBe(expected);
  });

  it('treats every sequence number as after an undefined position (nothing applied yet)', () => {
    expect(isAfter('0', undefined)).toBe(true);
    expect(isAfter(A, undefined)).toBe(true);
  });
});

describe('maxSequence', () => {
  it.each([
    [A, B, B],
    [B, A, B],
    [A, A, A],
    [SHORT, A, A],
    [A, SHORT, A],
    ['10', '9', '10'],
    [undefined, A, A],
    [A, undefined, A],
    [undefined, undefined, undefined],
  ])('maxSequence(%s, %s) is %s', (a, b, expected) => {
    expect(maxSequence(a, b)).toBe(expected);
  });
});

describe('successor', () => {
  it('adds one exactly to a 56-digit number (no floating-point rounding)', () => {
    expect(successor(A)).toBe(A_PLUS_1);
  });

  it('carries into a longer number', () => {
    expect(successor('9'.repeat(56))).toBe(`1${'0'.repeat(56)}`);
    expect(successor('99')).toBe('100');
  });

  it('is the smallest number after its input', () => {
    expect(isAfter(successor(B), B)).toBe(true);
    expect(isAfter(successor(B), successor(B))).toBe(false);
  });
});

function record(sequenceNumber: string): StreamRecord {
  return {
    shardId: 'shardId-000000000000',
    sequenceNumber,
    partitionKey: 'k',
    data: new Uint8Array(),
    arrivalTimeMs: 0,
  };
}

/** Serves fixed pages, ignoring the range, and counts how many pages were pulled. */
class PagedReader implements StreamReader {
  pagesRequested = 0;
  calls: Array<{ start: ReplayStart; beforeSequenceNumber: string }> = [];
  constructor(private readonly pages: StreamRecord[][]) {}
  async *readRange(_shardId: string, start: ReplayStart, beforeSequenceNumber: string) {
    this.calls.push({ start, beforeSequenceNumber });
    for (const page of this.pages) {
      this.pagesRequested++;
      yield page;
    }
  }
}

async function collect(pages: AsyncIterable<StreamRecord[]>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const page of pages) out.push(page.map((r) => r.sequenceNumber));
  return out;
}

describe('readThrough', () => {
  const base = 49_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  const seq = (i: number) => (base + BigInt(i)).toString();

  it('asks the reader for (after, successor(through)) so `through` is included', async () => {
    // Prepare
    const reader = new PagedReader([[record(seq(2)), record(seq(3))]]);
    // Act
    await collect(readThrough(reader, 'shardId-000000000000', seq(1), seq(3)));
    // Assess
    expect(reader.calls).toEqual([{ start: { afterSequenceNumber: seq(1) }, beforeSequenceNumber: seq(4) }]);
  });

  it('stops after the page holding `through` and never pulls another page', async () => {
    // Prepare: `through` ends page 2; the reader would keep serving pages (an open shard's head).
    const reader = new PagedReader([
      [record(seq(2)), record(seq(3))],
      [record(seq(4)), record(seq(5))],
      [record(seq(6))],
      [record(seq(7))],
    ]);
    // Act
    const pages = await collect(readThrough(reader, 'shardId-000000000000', seq(1), seq(5)));
    // Assess
    expect(pages).toEqual([
      [seq(2), seq(3)],
      [seq(4), seq(5)],
    ]);
    expect(reader.pagesRequested).toBe(2);
  });

  it('stops when a page goes past `through` without ending on it', async () => {
    // Prepare: the page holding `through` also holds later records.
    const reader = new PagedReader([
      [record(seq(2))],
      [record(seq(3)), record(seq(4)), record(seq(5))],
      [record(seq(6))],
    ]);
    // Act
    const pages = await collect(readThrough(reader, 'shardId-000000000000', seq(1), seq(3)));
    // Assess: readThrough passes pages through as given; the caller filters past `through`.
    expect(pages).toEqual([[seq(2)], [seq(3), seq(4), seq(5)]]);
    expect(reader.pagesRequested).toBe(2);
  });

  it('compares numerically when `through` is longer than the records before it', async () => {
    // Prepare
    const reader = new PagedReader([[record('98'), record('99')], [record('100')], [record('101')]]);
    // Act
    const pages = await collect(readThrough(reader, 'shardId-000000000000', '97', '100'));
    // Assess
    expect(pages).toEqual([['98', '99'], ['100']]);
    expect(reader.pagesRequested).toBe(2);
  });

  it('keeps reading past empty pages until `through`', async () => {
    // Prepare
    const reader = new PagedReader([[], [record(seq(2))], [], [record(seq(3))], [record(seq(4))]]);
    // Act
    const pages = await collect(readThrough(reader, 'shardId-000000000000', seq(1), seq(3)));
    // Assess
    expect(pages.flat()).toEqual([seq(2), seq(3)]);
    expect(reader.pagesRequested).toBe(4);
  });
});
