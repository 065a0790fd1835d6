import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { ConfigError, ThrottledError } from '../errors/index.js';
import type { OutputRecord, OutputSink } from '../ports/output-sink.js';
import { backoffDelayMs, type RetryOptions, retryPolicy, type Sleep, withRetry } from './retry-policy.js';

export interface KinesisOutputSinkOptions {
  client: KinesisClient;
  streamName: string;
  retry?: RetryOptions;
  sleep?: Sleep;
}

const MAX_ENTRIES = 500;

/**
 * Writes outputs to a Kinesis stream: partition key = the output's key, data =
 * JSON `{ "id": ..., "key": ..., "value": ... }`. Consumers dedupe on `id` to get
 * exactly-once results (an output may be written again after a failure).
 */
export class KinesisOutputSink implements OutputSink {
  private readonly retry;

  constructor(private readonly options: KinesisOutputSinkOptions) {
    if (!options.streamName) throw new ConfigError('outputStream', 'expected a Kinesis stream name');
    this.retry = retryPolicy(options.retry, options.sleep);
  }

  async write(records: OutputRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += MAX_ENTRIES) {
      let entries: PutRecordsRequestEntry[] = records.slice(i, i + MAX_ENTRIES).map((r) => ({
        PartitionKey: r.key.length > 0 ? r.key.slice(0, 256) : 'output',
        Data: Buffer.from(JSON.stringify({ id: r.id, key: r.key, value: r.value })),
      }));
      // PutRecords is not atomic: resend only the failed entries, with backoff, bounded.
      for (let attempt = 0; entries.length > 0; attempt++) {
        const out = await withRetry(this.retry, `PutRecords ${this.options.streamName}`, () =>
          this.options.client.send(
            new PutRecordsCommand({ StreamName: this.options.streamName, Records: entries }),
          ),
        );
        entries = entries.filter((_, j) => out.Records?.[j]?.ErrorCode);
        if (entries.length === 0) break;
        if (attempt + 1 >= this.retry.maxAttempts) {
          throw new ThrottledError(
            `PutRecords ${this.options.streamName}: ${entries.length} outputs still failing`,
          );
        }
        await this.retry.sleep(backoffDelayMs(this.retry, attempt));
      }
    }
  }
}
