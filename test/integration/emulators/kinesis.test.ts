import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await provisionFixture(4, 'kin');
});
afterAll(() => fx?.clients.destroy());

describe('Kinesis emulator through the real SDK client', () => {
  it('routes ExplicitHashKey to the intended shard and reads back in order AT/AFTER a sequence number', async () => {
    // Prepare
    const described = await fx.clients.kinesis.send(
      new DescribeStreamCommand({ StreamName: fx.names.stream }),
    );
    const shards = described.StreamDescription?.Shards ?? [];
    expect(shards).toHaveLength(4);
    const target = shards[2]!;
    const hashKey = target.HashKeyRange!.StartingHashKey!;
    const payloads = Array.from({ length: 20 }, (_, i) => `rec-${i}`);

    // Act
    const put = await fx.clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: fx.names.stream,
        Records: payloads.map((p) => ({
          Data: Buffer.from(p),
          PartitionKey: 'ignored',
          ExplicitHashKey: hashKey,
        })),
      }),
    );

    // Assess
    expect(put.FailedRecordCount ?? 0).toBe(0);
    expect(new Set(put.Records?.map((r) => r.ShardId))).toEqual(new Set([target.ShardId]));
    const seqs = put.Records!.map((r) => r.SequenceNumber!);
    const read = async (type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER', seq: string) => {
      const it = await fx.clients.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: fx.names.stream,
          ShardId: target.ShardId,
          ShardIteratorType: type,
          StartingSequenceNumber: seq,
        }),
      );
      const out = await fx.clients.kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
      return (out.Records ?? []).map((r) => Buffer.from(r.Data!).toString());
    };
    expect(await read('AT_SEQUENCE_NUMBER', seqs[5]!)).toEqual(payloads.slice(5));
    expect(await read('AFTER_SEQUENCE_NUMBER', seqs[5]!)).toEqual(payloads.slice(6));
  });
});
