import type { StreamRecord } from '../../../core/ports/stream.js';

export const SHARD_ID = 'shardId-000000000000';

const utf8 = new TextEncoder();
let nextSequenceNumber = 1_000;

/** A JSON record of the test shard, with increasing sequence numbers. */
export function jsonRecord(
  partitionKey: string,
  payload: unknown,
  options: { arrivalTimeMs?: number; shardId?: string } = {},
): StreamRecord {
  return bytesRecord(partitionKey, utf8.encode(JSON.stringify(payload)), options);
}

export function bytesRecord(
  partitionKey: string,
  data: Uint8Array,
  options: { arrivalTimeMs?: number; shardId?: string } = {},
): StreamRecord {
  nextSequenceNumber++;
  return {
    shardId: options.shardId ?? SHARD_ID,
    sequenceNumber: String(nextSequenceNumber),
    partitionKey,
    data,
    arrivalTimeMs: options.arrivalTimeMs ?? 0,
  };
}
