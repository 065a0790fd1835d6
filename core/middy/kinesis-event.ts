import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { BadInputError } from '../errors/index.js';
import type { StreamRecord } from '../ports/stream.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

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
  const byShard = new Map<string, StreamRecord[]>();
  event.Records.forEach((record, index) => {
    const parsed = parseRecord(record, index);
    const list = byShard.get(parsed.shardId);
    if (list) list.push(parsed);
    else byShard.set(parsed.shardId, [parsed]);
  });
  return [...byShard].map(([shardId, records]) => ({ shardId, records }));
}

function parseRecord(record: KinesisStreamRecord, index: number): StreamRecord {
  const where = `Records[${index}]`;
  const eventId = record?.eventID;
  const kinesis = record?.kinesis;
  if (typeof eventId !== 'string' || eventId.indexOf(':') < 1) {
    throw new BadInputError(
      `${where}.eventID: expected "shardId-...:<sequence number>", found ${describe(eventId)}`,
    );
  }
  if (!kinesis || typeof kinesis.sequenceNumber !== 'string' || !/^\d+$/.test(kinesis.sequenceNumber)) {
    throw new BadInputError(
      `${where}.kinesis.sequenceNumber: expected a decimal string, found ${describe(kinesis?.sequenceNumber)}`,
    );
  }
  if (typeof kinesis.data !== 'string') {
    throw new BadInputError(`${where}.kinesis.data: expected base64 text, found ${describe(kinesis.data)}`);
  }
  if (!BASE64.test(kinesis.data)) {
    throw new BadInputError(`${where}.kinesis.data: expected base64 text, found ${describe(kinesis.data)}`);
  }
  const arrivalSeconds = kinesis.approximateArrivalTimestamp ?? 0;
  if (typeof arrivalSeconds !== 'number' || !Number.isFinite(arrivalSeconds)) {
    throw new BadInputError(
      `${where}.kinesis.approximateArrivalTimestamp: expected epoch seconds, found ${describe(arrivalSeconds)}`,
    );
  }
  return {
    shardId: eventId.slice(0, eventId.indexOf(':')),
    sequenceNumber: kinesis.sequenceNumber,
    partitionKey: String(kinesis.partitionKey ?? ''),
    data: Buffer.from(kinesis.data, 'base64'),
    arrivalTimeMs: Math.round(arrivalSeconds * 1000),
  };
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
