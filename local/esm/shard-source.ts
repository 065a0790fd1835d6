import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { StreamRecord } from '../../core/ports/stream.js';

/** What the event-source-mapping simulator polls: Kinesis on the emulator, or an in-memory log. */
export interface ShardSource {
  listShardIds(): Promise<string[]>;
  /** Up to `limit` records after `afterSequenceNumber` (from the shard's start when undefined). */
  read(shardId: string, afterSequenceNumber: string | undefined, limit: number): Promise<StreamRecord[]>;
}

/** Polls Kinesis through the real SDK client, as Lambda's poller does (GetShardIterator + GetRecords). */
export class KinesisShardSource implements ShardSource {
  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
  ) {}

  async listShardIds(): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 100; page++) {
      const out = await this.client.send(
        new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.streamName }),
      );
      ids.push(...(out.Shards ?? []).map((s) => s.ShardId!));
      token = out.NextToken;
      if (!token) break;
    }
    return ids;
  }

  async read(
    shardId: string,
    afterSequenceNumber: string | undefined,
    limit: number,
  ): Promise<StreamRecord[]> {
    const iterator = await this.client.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: shardId,
        ...(afterSequenceNumber
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: afterSequenceNumber }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    const out = await this.client.send(
      new GetRecordsCommand({ ShardIterator: iterator.ShardIterator, Limit: limit }),
    );
    return (out.Records ?? []).map((r) => ({
      shardId,
      sequenceNumber: r.SequenceNumber!,
      partitionKey: r.PartitionKey!,
      data: r.Data!,
      arrivalTimeMs: r.ApproximateArrivalTimestamp?.getTime() ?? 0,
    }));
  }
}

/** The same polling over an in-memory log (core/memory/memory-stream.ts), for fast tests. */
export class MemoryShardSource implements ShardSource {
  constructor(
    private readonly stream: {
      listShards(): Promise<Array<{ shardId: string }>>;
      recordsAfter(shardId: string, afterSequenceNumber: string | undefined, limit: number): StreamRecord[];
    },
  ) {}

  async listShardIds(): Promise<string[]> {
    return (await this.stream.listShards()).map((s) => s.shardId);
  }

  async read(
    shardId: string,
    afterSequenceNumber: string | undefined,
    limit: number,
  ): Promise<StreamRecord[]> {
    // Reads only the page: copying the whole shard per poll made long runs quadratic.
    return this.stream.recordsAfter(shardId, afterSequenceNumber, limit);
  }
}
