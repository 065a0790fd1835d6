import { BadInputError, CheckpointError } from '../errors/index.js';
import { compareSequenceNumbers, type ReplayStart } from '../ports/stream.js';

/**
 * Pieces of the StreamReader.readRange contract shared by the Kinesis reader and
 * its in-memory double, so both refuse the same inputs and fail with the same
 * REPLAY_GAP. No SDK here.
 */
const SEQUENCE_NUMBER = /^\d{1,128}$/;

export function startSequenceNumber(start: ReplayStart): string {
  return 'atSequenceNumber' in start ? start.atSequenceNumber : start.afterSequenceNumber;
}

export function describeStart(start: ReplayStart): string {
  return 'atSequenceNumber' in start ? `at ${start.atSequenceNumber}` : `after ${start.afterSequenceNumber}`;
}

/** Validates the arguments; true when [start, before) cannot hold any record. */
export function isEmptyRange(shardId: string, start: ReplayStart, beforeSequenceNumber: string): boolean {
  const from = startSequenceNumber(start);
  for (const [name, value] of [
    ['start', from],
    ['beforeSequenceNumber', beforeSequenceNumber],
  ] as const) {
    if (typeof value !== 'string' || !SEQUENCE_NUMBER.test(value)) {
      throw new BadInputError(
        `readRange on ${shardId}: ${name} must be a decimal Kinesis sequence number, found ${JSON.stringify(value)}`,
      );
    }
  }
  return compareSequenceNumbers(beforeSequenceNumber, from) <= 0;
}

/** The records a replay needs are not there: never continue silently. */
export function replayGapError(
  shardId: string,
  start: ReplayStart,
  beforeSequenceNumber: string,
  found: string,
  cause?: unknown,
): CheckpointError {
  return new CheckpointError(
    'REPLAY_GAP',
    `replay of ${shardId} ${describeStart(start)} up to ${beforeSequenceNumber} is incomplete: ${found}; ` +
      'the records were trimmed by retention or are not on this shard; restore a checkpoint whose ' +
      'positions are still readable, or accept the data loss explicitly',
    cause === undefined ? {} : { cause },
  );
}
