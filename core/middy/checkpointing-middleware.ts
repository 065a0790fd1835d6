import middy, { type MiddlewareObj, type MiddyfiedHandler, type Request } from '@middy/core';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { CheckpointedProcessor } from '../processing/checkpointed-processor.js';
import type { BatchOutcome } from '../processing/types.js';
import { parseKinesisEvent, type ShardBatch } from './kinesis-event.js';

export interface CheckpointingMiddlewareOptions {
  /** Built once per container (cold start) and reused: it holds the shards' live state. */
  processor: () => CheckpointedProcessor;
  /** Mirror of the event source mapping's FunctionResponseTypes: ReportBatchItemFailures. */
  reportBatchItemFailures?: boolean;
  onOutcome?: (outcome: BatchOutcome) => void;
  /**
   * A failed invocation or a reported record failure (restart strategies): may
   * wait the strategy's delay. The error is rethrown afterwards either way.
   */
  onProcessingError?: (error: unknown, context: Context) => Promise<void>;
}

/** Per-invocation data the middleware hands to the handler, on the Lambda context. */
export interface CheckpointingContext extends Context {
  checkpointing: {
    processor: CheckpointedProcessor;
    batches: ShardBatch[];
    reportBatchItemFailures: boolean;
    onOutcome?: (outcome: BatchOutcome) => void;
    onProcessingError?: (error: unknown, context: Context) => Promise<void>;
  };
}

type KinesisRequest = Request<KinesisStreamEvent, KinesisStreamBatchResponse | undefined, Error, Context>;

/**
 * Prepares a Kinesis batch for the checkpoint protocol: builds the container's
 * processor once, then per invocation parses and validates the event (a
 * malformed event fails before anything is touched) and puts the shard batches
 * on the context for `processCheckpointedBatch`.
 */
export function checkpointing(options: CheckpointingMiddlewareOptions): MiddlewareObj<KinesisStreamEvent> {
  let processor: CheckpointedProcessor | undefined;

  const checkpointingBefore = (request: KinesisRequest): void => {
    processor ??= options.processor();
    (request.context as CheckpointingContext).checkpointing = {
      processor,
      batches: parseKinesisEvent(request.event),
      reportBatchItemFailures: options.reportBatchItemFailures ?? false,
      ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
      ...(options.onProcessingError ? { onProcessingError: options.onProcessingError } : {}),
    };
  };

  const checkpointingOnError = async (request: KinesisRequest): Promise<void> => {
    if (request.error && options.onProcessingError)
      await options.onProcessingError(request.error, request.context);
  };

  return {
    before: checkpointingBefore as MiddlewareObj<KinesisStreamEvent>['before'],
    onError: checkpointingOnError as MiddlewareObj<KinesisStreamEvent>['onError'],
  };
}

/**
 * The handler: runs each shard batch through the protocol. Any error propagates
 * (Lambda retries the batch); with ReportBatchItemFailures a failing record is
 * reported instead and the records before it stay committed.
 */
export async function processCheckpointedBatch(
  _event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse | undefined> {
  const prepared = (context as Partial<CheckpointingContext>).checkpointing;
  if (!prepared)
    throw new Error('processCheckpointedBatch needs the checkpointing() middleware in front of it');
  const failures: KinesisStreamBatchResponse['batchItemFailures'] = [];
  for (const batch of prepared.batches) {
    const outcome = await prepared.processor.processBatch(batch.shardId, batch.records, {
      reportBatchItemFailures: prepared.reportBatchItemFailures,
      timeLeftMs: () => context.getRemainingTimeInMillis(),
    });
    prepared.onOutcome?.(outcome);
    if (outcome.failedSequenceNumber !== undefined) {
      failures.push({ itemIdentifier: outcome.failedSequenceNumber });
      await prepared.onProcessingError?.(outcome.failure, context);
    }
  }
  return prepared.reportBatchItemFailures ? { batchItemFailures: failures } : undefined;
}

/** A ready Lambda handler: middy + checkpointing; add your own middlewares with `.use()`. */
export function checkpointedKinesisHandler(
  options: CheckpointingMiddlewareOptions,
): MiddyfiedHandler<KinesisStreamEvent, KinesisStreamBatchResponse | undefined> {
  return middy<KinesisStreamEvent, KinesisStreamBatchResponse | undefined>()
    .use(checkpointing(options))
    .handler(processCheckpointedBatch);
}
