import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../core/errors/index.js';
import { parseKinesisEvent, toKinesisEvent } from '../../../core/middy/kinesis-event.js';
import type { StreamRecord } from '../../../core/ports/stream.js';

const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';
const SHARD_A = 'shardId-000000000000';
const SHARD_B = 'shardId-000000000001';
const SEQ_1 = '49590338271490256608559692538361571095921575989136588898';
const SEQ_2 = '49590338271490256608559692538361571095921575989136588899';
const SEQ_3 = '49590338271490256608559692540925702759324208523137515618';

function kinesisRecord(
  shardId: string,
  sequenceNumber: string,
  text: string,
  arrivalSeconds = 1_700_000_000.123,
): KinesisStreamRecord {
  return {
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/test',
    awsRegion: 'us-east-1',
    eventSourceARN: ARN,
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: `pk-${text}`,
      sequenceNumber,
      data: Buffer.from(text).toString('base64'),
      approximateArrivalTimestamp: arrivalSeconds,
    },
  };
}

/** A valid event of three records whose record `index` is patched by `mutate`. */
function eventWith(index: number, mutate: (record: Record<string, unknown>) => void): KinesisStreamEvent {
  const records = [
    kinesisRecord(SHARD_A, SEQ_1, 'one'),
    kinesisRecord(SHARD_A, SEQ_2, 'two'),
    kinesisRecord(SHARD_A, SEQ_3, 'three'),
  ];
  const copy = structuredClone(records) as unknown as Array<Record<string, unknown>>;
  mutate(copy[index]!);
  return { Records: copy } as unknown as KinesisStreamEvent;
}

function thrownBy(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the action to throw');
}

const text = (data: Uint8Array) => Buffer.from(data).toString();

describe('parseKinesisEvent', () => {
  it('groups records by shard in first-seen order, keeping delivery order within each shard', () => {
    // Prepare
    const event: KinesisStreamEvent = {
      Records: [
        kinesisRecord(SHARD_B, SEQ_1, 'b1'),
        kinesisRecord(SHARD_A, SEQ_2, 'a1'),
        kinesisRecord(SHARD_B, SEQ_3, 'b2'),
        kinesisRecord(SHARD_A, SEQ_3, 'a2'),
      ],
    };
    // Act
    const batches = parseKinesisEvent(event);
    // Assess
    expect(batches.map((b) => b.shardId)).toEqual([SHARD_B, SHARD_A]);
    expect(batches[0]!.records.map((r) => text(r.data))).toEqual(['b1', 'b2']);
    expect(batches[1]!.records.map((r) => text(r.data))).toEqual(['a1', 'a2']);
    expect(batches[1]!.records.map((r) => r.sequenceNumber)).toEqual([SEQ_2, SEQ_3]);
  });

  it("starts a new batch when a shard id only extends the previous record's shard id", () => {
    // Prepare: consecutive records reuse the previous shard id, which must match it whole.
    const event: KinesisStreamEvent = {
      Records: [
        kinesisRecord('shardId-1', SEQ_1, 'a'),
        kinesisRecord('shardId-10', SEQ_2, 'b'),
        kinesisRecord('shardId-1', SEQ_3, 'c'),
      ],
    };
    // Act
    const batches = parseKinesisEvent(event);
    // Assess
    expect(batches.map((b) => [b.shardId, b.records.map((r) => text(r.data))])).toEqual([
      ['shardId-1', ['a', 'c']],
      ['shardId-10', ['b']],
    ]);
    expect(batches.flatMap((b) => b.records.map((r) => r.shardId))).toEqual([
      'shardId-1',
      'shardId-1',
      'shardId-10',
    ]);
  });

  it('decodes base64 data (binary included), the partition key and the arrival time in ms', () => {
    // Prepare
    const binary = new Uint8Array([0, 255, 1, 128, 10]);
    const record = kinesisRecord(SHARD_A, SEQ_1, '', 1_700_000_000.123);
    record.kinesis.data = Buffer.from(binary).toString('base64');
    // Act
    const [batch] = parseKinesisEvent({ Records: [record] });
    // Assess
    expect(batch!.records).toHaveLength(1);
    const parsed = batch!.records[0]!;
    expect(parsed.shardId).toBe(SHARD_A);
    expect(parsed.sequenceNumber).toBe(SEQ_1);
    expect(parsed.partitionKey).toBe('pk-');
    expect([...parsed.data]).toEqual([...binary]);
    expect(parsed.arrivalTimeMs).toBe(1_700_000_000_123);
  });

  it('returns no batches for an event with an empty Records array', () => {
    expect(parseKinesisEvent({ Records: [] })).toEqual([]);
  });

  it.each([
    ['an object without Records', {}],
    ['null', null],
    ['Records that is not an array', { Records: 'nope' }],
  ])('rejects %s with BadInputError asking for a Records array', (_name, event) => {
    // Act
    const error = thrownBy(() => parseKinesisEvent(event as unknown as KinesisStreamEvent));
    // Assess
    expect(error).toBeInstanceOf(BadInputError);
    expect(error.message).toMatch(/expected a Kinesis event with a Records array/);
  });

  it.each([
    [
      'a missing eventID',
      1,
      (r: Record<string, unknown>) => delete r.eventID,
      /^Records\[1\]\.eventID: expected "shardId-\.\.\.:<sequence number>", found undefined/,
    ],
    [
      'an eventID without ":"',
      2,
      (r: Record<string, unknown>) => (r.eventID = 'shardId-000000000000'),
      /^Records\[2\]\.eventID: .*found "shardId-000000000000"/,
    ],
    [
      'a numeric eventID',
      0,
      (r: Record<string, unknown>) => (r.eventID = 42),
      /^Records\[0\]\.eventID: .*found 42/,
    ],
    [
      'a missing kinesis object',
      1,
      (r: Record<string, unknown>) => delete r.kinesis,
      /^Records\[1\]\.kinesis\.sequenceNumber: expected a decimal string, found undefined/,
    ],
    [
      'a non-decimal sequenceNumber',
      2,
      (r: Record<string, unknown>) => ((r.kinesis as Record<string, unknown>).sequenceNumber = '12a4'),
      /^Records\[2\]\.kinesis\.sequenceNumber: expected a decimal string, found "12a4"/,
    ],
    [
      'a negative sequenceNumber',
      0,
      (r: Record<string, unknown>) => ((r.kinesis as Record<string, unknown>).sequenceNumber = '-5'),
      /^Records\[0\]\.kinesis\.sequenceNumber: .*found "-5"/,
    ],
    [
      'a numeric sequenceNumber',
      1,
      (r: Record<string, unknown>) => ((r.kinesis as Record<string, unknown>).sequenceNumber = 123),
      /^Records\[1\]\.kinesis\.sequenceNumber: .*found 123/,
    ],
    [
      'non-string data',
      2,
      (r: Record<string, unknown>) => ((r.kinesis as Record<string, unknown>).data = { bytes: [1] }),
      /^Records\[2\]\.kinesis\.data: expected base64 text, found \{"bytes":\[1\]\}/,
    ],
    [
      'missing data',
      0,
      (r: Record<string, unknown>) => delete (r.kinesis as Record<string, unknown>).data,
      /^Records\[0\]\.kinesis\.data: expected base64 text, found undefined/,
    ],
  ])('rejects %s with BadInputError naming the field path', (_name, index, mutate, message) => {
    // Prepare
    const event = eventWith(index, mutate);
    // Act
    const error = thrownBy(() => parseKinesisEvent(event));
    // Assess
    expect(error).toBeInstanceOf(BadInputError);
    expect(error.message).toMatch(message);
  });

  it('shortens a long offending value in the message', () => {
    // Prepare
    const event = eventWith(0, (r) => (r.eventID = 'x'.repeat(500)));
    // Act
    const error = thrownBy(() => parseKinesisEvent(event));
    // Assess
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).toMatch(/\.\.\.$/);
  });
});

describe('toKinesisEvent', () => {
  it('round-trips records through a Lambda Kinesis event', () => {
    // Prepare
    const records: StreamRecord[] = [
      {
        shardId: SHARD_A,
        sequenceNumber: SEQ_1,
        partitionKey: 'u1',
        data: Buffer.from('{"a":1}'),
        arrivalTimeMs: 1_700_000_000_123,
      },
      {
        shardId: SHARD_A,
        sequenceNumber: SEQ_2,
        partitionKey: 'u2',
        data: new Uint8Array([0, 1, 2, 250]),
        arrivalTimeMs: 1_700_000_000_999,
      },
      {
        shardId: SHARD_B,
        sequenceNumber: SEQ_3,
        partitionKey: '',
        data: new Uint8Array(0),
        arrivalTimeMs: 0,
      },
    ];
    // Act
    const event = toKinesisEvent(records, ARN);
    const batches = parseKinesisEvent(event);
    // Assess
    expect(event.Records.every((r) => r.eventSourceARN === ARN)).toBe(true);
    const parsed = batches.flatMap((b) => b.records);
    expect(parsed.map((r) => ({ ...r, data: [...r.data] }))).toEqual(
      records.map((r) => ({ ...r, data: [...r.data] })),
    );
  });
});

describe('parseKinesisEvent rejects fields that would otherwise decode silently', () => {
  it.each([
    ['an empty shard id', { eventID: ':123' }, /Records\[0\]\.eventID/],
    ['data that is not base64', { data: 'not base64!' }, /Records\[0\]\.kinesis\.data/],
    ['base64 without its padding', { data: 'e30' }, /Records\[0\]\.kinesis\.data/],
    ['base64 with padding inside', { data: 'e3=0e30=' }, /Records\[0\]\.kinesis\.data/],
    ['base64 with three padding characters', { data: 'e===' }, /Records\[0\]\.kinesis\.data/],
    ['base64 with a character outside the alphabet', { data: 'e3 0' }, /Records\[0\]\.kinesis\.data/],
    ['a non-numeric arrival time', { approximateArrivalTimestamp: 'soon' }, /approximateArrivalTimestamp/],
  ])('%s is a BadInputError naming the field', (_name, patch, message) => {
    // Prepare
    const record = {
      eventID: 'shardId-000000000000:1',
      kinesis: { sequenceNumber: '1', partitionKey: 'k', data: 'e30=', approximateArrivalTimestamp: 1 },
    };
    const { eventID, ...kinesisPatch } = patch as Record<string, unknown>;
    const event = {
      Records: [
        { ...record, ...(eventID ? { eventID } : {}), kinesis: { ...record.kinesis, ...kinesisPatch } },
      ],
    };

    // Act
    const act = () => parseKinesisEvent(event as never);

    // Assess
    expect(act).toThrow(BadInputError);
    expect(act).toThrow(message);
  });
});
