import {
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  type ListShardsCommandOutput,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import {
  BadInputError,
  CheckpointError,
  ConfigError,
  StorageUnavailableError,
  ThrottledError,
} from '../errors/index.js';
import type { BarrierTarget, ShardDescription, StreamWriter } from '../ports/stream.js';
import {
  backoffDelayMs,
  type RetryOptions,
  type RetryPolicy,
  retryPolicy,
  type Sleep,
  withRetry,
} from './retry-policy.js';

export interface KinesisStreamWriterOptions {
  client: KinesisClient;
  streamName: string;
  retry?: RetryOptions;
  sleep?: Sleep;
}

/** ExplicitHashKey decides the shard; the partition key only has to be valid. */
export const BARRIER_PARTITION_KEY = 'barrier';
const PUT_RECORDS_MAX_ENTRIES = 500;

/** Shard discovery, barrier injection and retention, for the checkpoint coordinator. */
export class KinesisStreamWriter implements StreamWriter {
  private readonly client: KinesisClient;
  readonly streamName: string;
  private readonly retry: RetryPolicy;

  constructor(options: KinesisStreamWriterOptions) {
    if (!options.streamName)
      throw new ConfigError('streamName', 'expected a Kinesis stream name, found none');
    this.client = options.client;
    this.streamName = options.streamName;
    this.retry = retryPolicy(options.retry, options.sleep);
  }

  async listShards(): Promise<ShardDescription[]> {
    const shards: ShardDescription[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page: ListShardsCommandOutput = await withRetry(this.retry, `ListShards ${this.streamName}`, () =>
        this.client.send(
          // The API refuses StreamName together with NextToken.
          new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.streamName }),
        ),
      );
      for (const shard of page.Shards ?? []) {
        shards.push({
          shardId: shard.ShardId ?? '',
          ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
          ...(shard.AdjacentParentShardId ? { adjacentParentShardId: shard.AdjacentParentShardId } : {}),
          startingHashKey: shard.HashKeyRange?.StartingHashKey ?? '',
          endingHashKey: shard.HashKeyRange?.EndingHashKey ?? '',
          ...(shard.SequenceNumberRange?.StartingSequenceNumber
            ? { startingSequenceNumber: shard.SequenceNumberRange.StartingSequenceNumber }
            : {}),
          ...(shard.SequenceNumberRange?.EndingSequenceNumber
            ? { endingSequenceNumber: shard.SequenceNumberRange.EndingSequenceNumber }
            : {}),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }

  async putToShards(
    targets: BarrierTarget[],
    data: Uint8Array,
  ): Promise<Array<{ shardId: string; sequenceNumber: string }>> {
    const results: Array<{ shardId: string; sequenceNumber: string }> = [];
    for (let i = 0; i < targets.length; i += PUT_RECORDS_MAX_ENTRIES) {
      results.push(...(await this.putChunk(targets.slice(i, i + PUT_RECORDS_MAX_ENTRIES), data)));
    }
    return results;
  }

  async retentionPeriodHours(): Promise<number> {
    const out = await withRetry(this.retry, `DescribeStreamSummary ${this.streamName}`, () =>
      this.client.send(new DescribeStreamSummaryCommand({ StreamName: this.streamName })),
    );
    const hours = out.StreamDescriptionSummary?.RetentionPeriodHours;
    if (hours === undefined) {
      throw new CheckpointError(
        'INTERNAL',
        `DescribeStreamSummary ${this.streamName} returned no RetentionPeriodHours; cannot check replay positions against retention`,
      );
    }
    return hours;
  }

  /** PutRecords is not atomic: only the failed entries are sent again, with backoff. */
  private async putChunk(
    targets: BarrierTarget[],
    data: Uint8Array,
  ): Promise<Array<{ shardId: string; sequenceNumber: string }>> {
    const results: Array<{ shardId: string; sequenceNumber: string } | undefined> = targets.map(
      () => undefined,
    );
    let pending = targets.map((_, index) => index);
    for (let attempt = 1; ; attempt++) {
      const entries: PutRecordsRequestEntry[] = pending.map((index) => ({
        Data: data,
        PartitionKey: BARRIER_PARTITION_KEY,
        ExplicitHashKey: targets[index]!.explicitHashKey,
      }));
      const out = await withRetry(this.retry, `PutRecords ${this.streamName}`, () =>
        this.client.send(new PutRecordsCommand({ StreamName: this.streamName, Records: entries })),
      );
      const failed: Array<{ index: number; code: string; message: string }> = [];
      pending.forEach((index, position) => {
        const entry = out.Records?.[position];
        const target = targets[index]!;
        if (!entry || entry.ErrorCode || !entry.SequenceNumber) {
          failed.push({ index, code: entry?.ErrorCode ?? 'NoResult', message: entry?.ErrorMessage ?? '' });
          return;
        }
        if (entry.ShardId !== target.shardId) {
          throw new BadInputError(
            `barrier for ${target.shardId} with ExplicitHashKey ${target.explicitHashKey} landed on ` +
              `${entry.ShardId} at ${entry.SequenceNumber}: the hash key is outside the target's range ` +
              '(the shard list is stale after a reshard?); list the shards again and retarget',
          );
        }
        results[index] = { shardId: target.shardId, sequenceNumber: entry.SequenceNumber };
      });
      if (failed.length === 0) return results as Array<{ shardId: string; sequenceNumber: string }>;
      if (attempt >= this.retry.maxAttempts) throw this.partialFailure(targets, failed, attempt);
      pending = failed.map((f) => f.index);
      await this.retry.sleep(backoffDelayMs(this.retry, attempt - 1));
    }
  }

  private partialFailure(
    targets: BarrierTarget[],
    failed: Array<{ index: number; code: string; message: string }>,
    attempts: number,
  ): CheckpointError {
    const first = failed[0]!;
    const message =
      `PutRecords ${this.streamName}: ${failed.length} of ${targets.length} barrier records still failed after ` +
      `${attempts} attempts (first: ${targets[first.index]!.shardId}: ${first.code} ${first.message}); ` +
      'the shards that were written carry the barrier, retry the whole trigger or decline the checkpoint';
    return failed.every((f) => f.code === 'ProvisionedThroughputExceededException')
      ? new ThrottledError(message)
      : new StorageUnavailableError(message);
  }
}
