import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  PutRecordsCommand,
  type PutRecordsCommandOutput,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createKinesisClient } from '../../../core/aws/clients.js';
import { KinesisStreamReader, KinesisStreamWriter } from '../../../core/aws/kinesis-stream.js';
import { isCheckpointError } from '../../../core/errors/index.js';
import { MemoryStream } from '../../../core/memory/memory-stream.js';
import { emulatorConnection } from '../../../local/connection.js';
import { createStream, uniqueNames } from '../../../local/resources.js';
import { emulatorClients } from '../../support/emulators.js';
import { caught } from '../../support/snapshot-store-contract.js';
import {
  CONTRACT_PAGE_LIMIT,
  describeStreamContract,
  putOnShard,
  readAll,
} from '../../support/stream-contract.js';

const clients = emulatorClients();
afterAll(() => clients.destroy());
const noSleep = async () => {};

type Command = { constructor: { name: string }; input: Record<string, unknown> };
type Interceptor = (command: Command, send: (c: Command) => Promise<unknown>) => Promise<unknown> | undefined;

/** A Kinesis client of its own; `intercept` may answer a command instead of the emulator. */
function interceptedClient(intercept: Interceptor): { client: KinesisClient; sent: Command[] } {
  const client = createKinesisClient(emulatorConnection(inject('emulators')));
  afterAll(() => client.destroy());
  const sent: Command[] = [];
  const send = client.send.bind(client) as (c: Command) => Promise<unknown>;
  client.send = ((command: Command) => {
    sent.push(command);
    return intercept(command, send) ?? send(command);
  }) as KinesisClient['send'];
  return { client, sent };
}

async function freshStream(shardCount = 4): Promise<string> {
  const { stream } = uniqueNames('kinstream');
  await createStream(clients, stream, shardCount);
  return stream;
}

function adapters(client: KinesisClient, streamName: string) {
  return {
    reader: new KinesisStreamReader({ client, streamName, pageLimit: CONTRACT_PAGE_LIMIT, sleep: noSleep }),
    writer: new KinesisStreamWriter({ client, streamName, sleep: noSleep }),
  };
}

describeStreamContract('Kinesis adapters on kinesalite', async () => {
  const streamName = await freshStream();
  return {
    ...adapters(clients.kinesis, streamName),
    async splitShard(shardId, newStartingHashKey) {
      await clients.kinesis.send(
        new SplitShardCommand({
          StreamName: streamName,
          ShardToSplit: shardId,
          NewStartingHashKey: newStartingHashKey,
        }),
      );
    },
    // kinesalite's v2 sequence numbers carry a per-stream counter in hex digits 11..26 (20..35 from the
    // right); +1 there names the slot of the record written in between on another shard, here on ours.
    absentSequenceNumberBetween(_shardId, earlier) {
      return (BigInt(earlier) + 16n ** 20n).toString();
    },
  };
});

describe('Kinesis adapters on kinesalite', () => {
  it('recover from an expired iterator mid-read by resuming after the last record yielded', async () => {
    // Prepare
    const streamName = await freshStream(1);
    const [shard] = await new KinesisStreamWriter({ client: clients.kinesis, streamName }).listShards();
    const seqs = await putOnShard(adapters(clients.kinesis, streamName).writer, shard!, 'x', 30);
    let getRecordsCalls = 0;
    const { client, sent } = interceptedClient((command) => {
      if (command.constructor.name !== GetRecordsCommand.name || ++getRecordsCalls !== 3) return undefined;
      return Promise.reject(
        Object.assign(new Error('Iterator expired.'), {
          name: 'ExpiredIteratorException',
          $metadata: { httpStatusCode: 400 },
        }),
      );
    });
    const { reader } = adapters(client, streamName);

    // Act
    const pages = await readAll(reader, shard!.shardId, { atSequenceNumber: seqs[0]! }, seqs[29]!);

    // Assess
    expect(pages.flat().map((r) => r.sequenceNumber)).toEqual(seqs.slice(0, 29));
    const iterators = sent.filter((c) => c.constructor.name === GetShardIteratorCommand.name);
    expect(iterators.map((c) => [c.input.ShardIteratorType, c.input.StartingSequenceNumber])).toEqual([
      ['AT_SEQUENCE_NUMBER', seqs[0]],
      ['AFTER_SEQUENCE_NUMBER', seqs[2 * CONTRACT_PAGE_LIMIT - 1]],
    ]);
  });

  it('retries GetRecords throttled by ProvisionedThroughputExceeded and loses no record', async () => {
    // Prepare
    const streamName = await freshStream(1);
    const [shard] = await new KinesisStreamWriter({ client: clients.kinesis, streamName }).listShards();
    const seqs = await putOnShard(adapters(clients.kinesis, streamName).writer, shard!, 'p', 10);
    let throttles = 2;
    const { client } = interceptedClient((command) =>
      command.constructor.name === GetRecordsCommand.name && throttles-- > 0
        ? Promise.reject(
            Object.assign(new Error('Rate exceeded for shard'), {
              name: 'ProvisionedThroughputExceededException',
              $metadata: { httpStatusCode: 400 },
            }),
          )
        : undefined,
    );

    // Act
    const pages = await readAll(
      adapters(client, streamName).reader,
      shard!.shardId,
      { afterSequenceNumber: seqs[0]! },
      seqs[9]!,
    );

    // Assess
    expect(throttles).toBeLessThan(0);
    expect(pages.flat().map((r) => r.sequenceNumber)).toEqual(seqs.slice(1, 9));
  });

  it('maps a sequence number Kinesis refuses (it belongs to another shard) to REPLAY_GAP', async () => {
    // Prepare
    const streamName = await freshStream(2);
    const { reader, writer } = adapters(clients.kinesis, streamName);
    const [first, second] = await writer.listShards();
    const [foreign] = await putOnShard(writer, second!, 'f', 1);

    // Act
    const error = await caught(
      readAll(reader, first!.shardId, { afterSequenceNumber: foreign! }, '9'.repeat(56)),
    );

    // Assess
    expect(isCheckpointError(error, 'REPLAY_GAP')).toBe(true);
    expect((error as Error).message).toContain('Kinesis refused sequence number');
  });

  it('putToShards sends only the failed entries of a partial failure again', async () => {
    // Prepare
    const streamName = await freshStream(4);
    let calls = 0;
    const { client, sent } = interceptedClient((command, send) => {
      if (command.constructor.name !== PutRecordsCommand.name || ++calls !== 1) return undefined;
      // The first call writes the first two entries only and reports the other two as throttled.
      const records = command.input.Records as unknown[];
      const partial = new PutRecordsCommand({ ...command.input, Records: records.slice(0, 2) } as never);
      return (send(partial as unknown as Command) as Promise<PutRecordsCommandOutput>).then((out) => ({
        ...out,
        FailedRecordCount: 2,
        Records: [
          ...(out.Records ?? []),
          ...records.slice(2).map(() => ({
            ErrorCode: 'ProvisionedThroughputExceededException',
            ErrorMessage: 'Rate exceeded',
          })),
        ],
      }));
    });
    const { writer, reader } = adapters(client, streamName);
    const shards = await writer.listShards();

    // Act
    const written = await writer.putToShards(
      shards.map((s) => ({ shardId: s.shardId, explicitHashKey: s.endingHashKey })),
      new TextEncoder().encode('barrier-1'),
    );

    // Assess
    const puts = sent.filter((c) => c.constructor.name === PutRecordsCommand.name);
    expect(puts.map((c) => (c.input.Records as unknown[]).length)).toEqual([4, 2]);
    expect(written.map((w) => w.shardId)).toEqual(shards.map((s) => s.shardId));
    for (const [i, shard] of shards.entries()) {
      const [end] = await putOnShard(writer, shard, 'end', 1);
      const read = await readAll(
        reader,
        shard.shardId,
        { atSequenceNumber: written[i]!.sequenceNumber },
        end!,
      );
      expect(read.flat()).toHaveLength(1);
    }
  });

  it('routes partition keys to the same shards as the in-memory stream (MD5 hash key ranges)', async () => {
    // Prepare
    const streamName = await freshStream(4);
    const memory = new MemoryStream();
    memory.createShards(4);
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);

    // Act
    const out = await clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: keys.map((k) => ({ PartitionKey: k, Data: new Uint8Array([1]) })),
      }),
    );
    const expected = keys.map((k) => memory.put(k, new Uint8Array([1])).shardId);

    // Assess
    expect(out.Records?.map((r) => r.ShardId)).toEqual(expected);
    expect(new Set(expected).size).toBe(4);
    const kinesisShards = await adapters(clients.kinesis, streamName).writer.listShards();
    // Starting sequence numbers differ by design (each stream numbers its own records).
    expect((await memory.listShards()).map(({ startingSequenceNumber: _, ...shard }) => shard)).toEqual(
      kinesisShards.map(({ shardId, startingHashKey, endingHashKey }) => ({
        shardId,
        startingHashKey,
        endingHashKey,
      })),
    );
  });
});
