import { compareSequenceNumbers, type StreamReader, type StreamRecord } from '../ports/stream.js';

export function isAfter(sequenceNumber: string, position: string | undefined): boolean {
  return position === undefined || compareSequenceNumbers(sequenceNumber, position) > 0;
}

export function maxSequence(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareSequenceNumbers(a, b) >= 0 ? a : b;
}

/** The smallest sequence number greater than `sequenceNumber` (an exclusive upper bound). */
export function successor(sequenceNumber: string): string {
  return (BigInt(sequenceNumber) + 1n).toString();
}

/**
 * Reads (after, through]: stops as soon as `through` has been seen, so it never
 * waits at the head of an open shard for a record that does not exist yet.
 */
export async function* readThrough(
  reader: StreamReader,
  shardId: string,
  afterSequenceNumber: string,
  throughSequenceNumber: string,
): AsyncIterable<StreamRecord[]> {
  for await (const page of reader.readRange(
    shardId,
    { afterSequenceNumber },
    successor(throughSequenceNumber),
  )) {
    yield page;
    const last = page[page.length - 1];
    if (last && compareSequenceNumbers(last.sequenceNumber, throughSequenceNumber) >= 0) return;
  }
}
