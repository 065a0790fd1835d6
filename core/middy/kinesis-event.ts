import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { BadInputError } from '../errors/index.js';
import type { StreamRecord } from '../ports/stream.js';

const DECIMAL = /^\d+$/;

export interface ShardBatch {
  shardId: string;
  records: StreamRecord[];
}

/**
 * Lambda delivers one shard per invocation (ParallelizationFactor 1); the shard
 * id is the eventID's prefix ("shardId-000000000001:<sequence number>"). Groups
 * defensively by shard, keeping delivery order.
 */
export function parseKinesisEvent(event: KinesisStreamEvent): ShardBatch[] {
  if (!event || !Array.isArray(event.Records)) {
    throw new BadInputError(`expected a Kinesis event with a Records array; found ${describe(event)}`);
  }
  const input = event.Records;
  const batches: ShardBatch[] = [];
  const data = new DataArena(input);
  // Per record this is the hot path of every invocation: consecutive records of one
  // shard reuse its batch and its shard id string (one string, compared by identity later).
  let current: ShardBatch | undefined;
  for (let index = 0; index < input.length; index++) {
    const parsed = parseRecord(input[index]!, index, data, current?.shardId);
    if (current === undefined || parsed.shardId !== current.shardId) {
      current = batches.find((b) => b.shardId === parsed.shardId);
      if (current === undefined) {
        current = { shardId: parsed.shardId, records: [] };
        batches.push(current);
      }
    }
    current.records.push(parsed);
  }
  return batches;
}

function parseRecord(
  record: KinesisStreamRecord,
  index: number,
  arena: DataArena,
  previousShardId?: string,
): StreamRecord {
  const eventId = record?.eventID;
  const kinesis = record?.kinesis;
  if (typeof eventId !== 'string' || eventId.indexOf(':') < 1) {
    throw new BadInputError(
      `${where(index)}.eventID: expected "shardId-...:<sequence number>", found ${describe(eventId)}`,
    );
  }
  if (!kinesis || typeof kinesis.sequenceNumber !== 'string' || !DECIMAL.test(kinesis.sequenceNumber)) {
    throw new BadInputError(
      `${where(index)}.kinesis.sequenceNumber: expected a decimal string, found ${describe(kinesis?.sequenceNumber)}`,
    );
  }
  const data = typeof kinesis.data === 'string' ? arena.decode(kinesis.data) : undefined;
  if (data === undefined) {
    throw new BadInputError(
      `${where(index)}.kinesis.data: expected base64 text, found ${describe(kinesis.data)}`,
    );
  }
  const arrivalSeconds = kinesis.approximateArrivalTimestamp ?? 0;
  if (typeof arrivalSeconds !== 'number' || !Number.isFinite(arrivalSeconds)) {
    throw new BadInputError(
      `${where(index)}.kinesis.approximateArrivalTimestamp: expected epoch seconds, found ${describe(arrivalSeconds)}`,
    );
  }
  return {
    shardId: shardIdOf(eventId, previousShardId),
    sequenceNumber: kinesis.sequenceNumber,
    partitionKey: String(kinesis.partitionKey ?? ''),
    data,
    arrivalTimeMs: Math.round(arrivalSeconds * 1000),
  };
}

/**
 * The decoded data of one event's records, in one buffer: a Buffer per record would
 * carve up Node's 8 KB pool and allocate a new one every few dozen records, which
 * costs more than the decoding. Records' data are views into it.
 */
class DataArena {
  private readonly buffer: Buffer;
  private offset = 0;

  constructor(records: readonly KinesisStreamRecord[]) {
    let capacity = 0;
    for (let i = 0; i < records.length; i++) {
      const text = records[i]?.kinesis?.data;
      if (typeof text === 'string') capacity += (text.length >> 2) * 3;
    }
    this.buffer = Buffer.allocUnsafeSlow(capacity);
  }

  /**
   * The bytes of padded base64 text, or undefined when it is not: Node's decoder
   * skips characters outside the alphabet, so fewer bytes than the length promises
   * means the text was not base64 (URL-safe letters are accepted, as Node does).
   */
  decode(text: string): Uint8Array | undefined {
    if ((text.length & 3) !== 0) return undefined;
    let padding = 0;
    while (padding < text.length && text.charCodeAt(text.length - 1 - padding) === 61 /* = */) padding++;
    if (padding > 2) return undefined;
    const expected = (text.length >> 2) * 3 - padding;
    const start = this.offset;
    const written = expected === 0 ? 0 : this.buffer.write(text, start, expected, 'base64');
    if (written !== expected) return undefined;
    this.offset = start + written;
    return this.buffer.subarray(start, this.offset);
  }
}

const where = (index: number) => `Records[${index}]`;

/** The eventID's prefix; the previous record's string when it is the same shard. */
function shardIdOf(eventId: string, previousShardId: string | undefined): string {
  const colon = eventId.indexOf(':');
  if (
    previousShardId !== undefined &&
    colon === previousShardId.length &&
    eventId.startsWith(previousShardId)
  ) {
    return previousShardId;
  }
  return eventId.slice(0, colon);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

/** The inverse, for the local event-source-mapping simulator and tests. */
export function toKinesisEvent(records: StreamRecord[], eventSourceArn: string): KinesisStreamEvent {
  return {
    Records: records.map((r) => ({
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${r.shardId}:${r.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/local',
      awsRegion: 'us-east-1',
      eventSourceARN: eventSourceArn,
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.partitionKey,
        sequenceNumber: r.sequenceNumber,
        data: Buffer.from(r.data).toString('base64'),
        approximateArrivalTimestamp: r.arrivalTimeMs / 1000,
      },
    })),
  };
}
