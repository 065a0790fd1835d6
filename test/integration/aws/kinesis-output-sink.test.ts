import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KinesisOutputSink } from '../../../core/aws/kinesis-output-sink.js';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await provisionFixture(1, 'out');
});
afterAll(() => fx?.clients.destroy());

describe('KinesisOutputSink on kinesalite', () => {
  it('writes each output as JSON {id, key, value} keyed by the output key, in order', async () => {
    // Prepare
    const sink = new KinesisOutputSink({ client: fx.clients.kinesis, streamName: fx.names.stream });
    const outputs = Array.from({ length: 620 }, (_, i) => ({
      id: `shardId-000000000000/${4900 + i}/0`,
      key: `user-${i % 7}`,
      value: { clicks: i },
      shardId: 'shardId-000000000000',
    }));

    // Act
    await sink.write(outputs);

    // Assess
    const shards = await fx.clients.kinesis.send(new ListShardsCommand({ StreamName: fx.names.stream }));
    const iterator = await fx.clients.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: fx.names.stream,
        ShardId: shards.Shards![0]!.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const read = await fx.clients.kinesis.send(
      new GetRecordsCommand({ ShardIterator: iterator.ShardIterator, Limit: 1000 }),
    );
    const got = (read.Records ?? []).map((r) => ({
      partitionKey: r.PartitionKey,
      body: JSON.parse(Buffer.from(r.Data!).toString()),
    }));
    expect(got).toHaveLength(620);
    expect(got[3]).toEqual({
      partitionKey: 'user-3',
      body: { id: outputs[3]!.id, key: 'user-3', value: { clicks: 3 } },
    });
    expect(got.map((g) => g.body.id)).toEqual(outputs.map((o) => o.id));
  });
});
