import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
} from '@aws-sdk/client-kinesis';
import { ConfigError, isCheckpointError } from '../errors/index.js';
import {
  compareSequenceNumbers,
  type ReplayStart,
  type StreamReader,
  type StreamRecord,
} from '../ports/stream.js';
import { isEmptyRange, replayGapError, startSequenceNumber } from './replay-range.js';
import { type RetryOptions, type RetryPolicy, retryPolicy, type Sleep, withRetry } from './retry-policy.js';

export interface KinesisStreamReaderOptions {
  client: KinesisClient;
  streamName: string;
  /** GetRecords Limit (1..10000). Default 1000. */
  pageLimit?: number;
  /**
   * Consecutive empty pages at the tip (MillisBehindLatest 0) before the missing
   * end record is declared a REPLAY_GAP. Default 50.
   */
  maxEmptyPagesAtTip?: number;
  /** Pause after an empty page: stays under Kinesis' 5 GetRecords/s per shard. Default 200. */
  emptyPageDelayMs?: number;
  retry?: RetryOptions;
  sleep?: Sleep;
}

export function toStreamRecord(shardId: string, record: KinesisRecord): StreamRecord {
  return {
    shardId,
    sequenceNumber: record.SequenceNumber ?? '',
    partitionKey: record.PartitionKey ?? '',
    data: record.Data ?? new Uint8Array(),
    arrivalTimeMs: record.ApproximateArrivalTimestamp?.getTime() ?? 0,
  };
}

function integerOption(path: string, value: number | undefined, fallback: number, min: number, max: number) {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw new ConfigError(path, `expected an integer in [${min}, ${max}], found ${String(value)}`);
  }
  return resolved;
}

/** Replays a shard range with GetRecords; see StreamReader.readRange for the contract. */
export class KinesisStreamReader implements StreamReader {
  private readonly client: KinesisClient;
  private readonly streamName: string;
  private readonly pageLimit: number;
  private readonly maxEmptyPagesAtTip: number;
  private readonly emptyPageDelayMs: number;
  private readonly retry: RetryPolicy;

  constructor(options: KinesisStreamReaderOptions) {
    if (!options.streamName)
      throw new ConfigError('streamName', 'expected a Kinesis stream name, found none');
    this.client = options.client;
    this.streamName = options.streamName;
    this.pageLimit = integerOption('pageLimit', options.pageLimit, 1_000, 1, 10_000);
    this.maxEmptyPagesAtTip = integerOption('maxEmptyPagesAtTip', options.maxEmptyPagesAtTip, 50, 1, 10_000);
    this.emptyPageDelayMs = integerOption('emptyPageDelayMs', options.emptyPageDelayMs, 200, 0, 60_000);
    this.retry = retryPolicy(options.retry, options.sleep);
  }

  async *readRange(
    shardId: string,
    start: ReplayStart,
    beforeSequenceNumber: string,
  ): AsyncIterable<StreamRecord[]> {
    if (isEmptyRange(shardId, start, beforeSequenceNumber)) return;
    const gap = (found: string, cause?: unknown) =>
      replayGapError(shardId, start, beforeSequenceNumber, found, cause);
    // Kinesis cannot tell us that an AT start was trimmed away; the first record can.
    const mustStartAt = 'atSequenceNumber' in start ? start.atSequenceNumber : undefined;
    let firstChecked = mustStartAt === undefined;
    let lastYielded: string | undefined;
    let emptyPagesAtTip = 0;
    let expiredWithoutProgress = 0;
    let iterator = await this.shardIterator(shardId, start, gap);

    for (;;) {
      let page: GetRecordsCommandOutput;
      try {
        page = await this.getRecords(shardId, iterator);
      } catch (error) {
        if (!isCheckpointError(error, 'ITERATOR_EXPIRED')) throw error;
        // Resume right after what the caller already has; a bounded number of times in a row.
        if (++expiredWithoutProgress >= this.retry.maxAttempts) throw error;
        const resume = lastYielded === undefined ? start : { afterSequenceNumber: lastYielded };
        iterator = await this.shardIterator(shardId, resume, gap);
        continue;
      }
      expiredWithoutProgress = 0;
      const records = page.Records ?? [];
      const first = records[0]?.SequenceNumber;
      if (!firstChecked && first !== undefined) {
        firstChecked = true;
        if (first !== mustStartAt) throw gap(`the first record found is ${first}, not ${mustStartAt}`);
      }

      const batch: StreamRecord[] = [];
      let reachedEnd = false;
      for (const record of records) {
        if (compareSequenceNumbers(record.SequenceNumber ?? '', beforeSequenceNumber) >= 0) {
          reachedEnd = true;
          break;
        }
        batch.push(toStreamRecord(shardId, record));
      }
      if (batch.length > 0) {
        lastYielded = batch[batch.length - 1]!.sequenceNumber;
        yield batch;
      }
      if (reachedEnd) return;
      if (!page.NextShardIterator) {
        throw gap(
          `the shard is closed and ended ${lastYielded ? `after ${lastYielded}` : 'before any record'}`,
        );
      }
      iterator = page.NextShardIterator;

      if (records.length > 0) {
        emptyPagesAtTip = 0;
        continue;
      }
      // Empty pages while behind are normal in real Kinesis; at the tip the end record is missing.
      if ((page.MillisBehindLatest ?? 0) === 0 && ++emptyPagesAtTip >= this.maxEmptyPagesAtTip) {
        throw gap(
          `reached the latest record (${lastYielded ?? 'none read'}) ${emptyPagesAtTip} times without seeing ${beforeSequenceNumber}`,
        );
      }
      await this.retry.sleep(this.emptyPageDelayMs);
    }
  }

  private async shardIterator(
    shardId: string,
    start: ReplayStart,
    gap: (found: string, cause?: unknown) => Error,
  ): Promise<string> {
    const at = 'atSequenceNumber' in start;
    const sequenceNumber = startSequenceNumber(start);
    const out = await withRetry(this.retry, `GetShardIterator ${this.streamName}/${shardId}`, async () => {
      try {
        return await this.client.send(
          new GetShardIteratorCommand({
            StreamName: this.streamName,
            ShardId: shardId,
            ShardIteratorType: at ? 'AT_SEQUENCE_NUMBER' : 'AFTER_SEQUENCE_NUMBER',
            StartingSequenceNumber: sequenceNumber,
          }),
        );
      } catch (error) {
        // Kinesis refuses sequence numbers it no longer knows (or that belong elsewhere).
        if ((error as { name?: string }).name === 'InvalidArgumentException') {
          throw gap(`Kinesis refused sequence number ${sequenceNumber}: ${(error as Error).message}`, error);
        }
        throw error;
      }
    });
    if (!out.ShardIterator) throw gap(`GetShardIterator returned no iterator: the shard has ended`);
    return out.ShardIterator;
  }

  private getRecords(shardId: string, iterator: string): Promise<GetRecordsCommandOutput> {
    return withRetry(
      this.retry,
      `GetRecords ${this.streamName}/${shardId}`,
      () => this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.pageLimit })),
      // A fresh iterator, not a retry, helps with an expired one.
      (error) => error.retryable && error.reason !== 'ITERATOR_EXPIRED',
    );
  }
}
