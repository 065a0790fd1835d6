import { randomUUID } from 'node:crypto';
import { LambdaEventSourceControl } from '../../core/aws/lambda-event-source-control.js';
import { DEFAULT_COORDINATOR_SETTINGS } from '../../core/checkpoint/checkpoint-coordinator.js';
import { checkpointPrefix } from '../../core/checkpoint/storage-location.js';
import { checkpointedKinesisHandler } from '../../core/middy/checkpointing-middleware.js';
import type { EventSourceControl } from '../../core/ports/event-source-control.js';
import { CheckpointedProcessor } from '../../core/processing/checkpointed-processor.js';
import { handleProcessingFailure } from '../../core/recovery/processing-failure.js';
import { type AnyOperatorDefinition, OperatorRuntime } from '../../core/state/index.js';
import { type Wiring, wiringFromEnvironment } from './wiring.js';

export interface ProcessorHandlerOptions {
  /** Mirror of the event source mapping's ReportBatchItemFailures (serverless.yml sets it). */
  reportBatchItemFailures?: boolean;
  /** For tests and local runs; defaults to the Lambda environment. */
  wiring?: () => Wiring;
  /** Replaces the real event source mapping control (tests, local runs). */
  eventSource?: EventSourceControl;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The Kinesis-triggered Lambda handler for an operator: middy + the checkpoint
 * protocol, wired from the environment once per container.
 */
export function createProcessorHandler(
  operator: AnyOperatorDefinition,
  options: ProcessorHandlerOptions = {},
) {
  let built: Wiring | undefined;
  const wiringOnce = () => {
    built ??= (options.wiring ?? wiringFromEnvironment)();
    return built;
  };
  return checkpointedKinesisHandler({
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    // Restart strategies: record the failure, wait the strategy's delay or fail the job.
    onProcessingError: async (error, context) => {
      const wiring = wiringOnce();
      await handleProcessingFailure(
        {
          store: wiring.store,
          clock: wiring.clock,
          sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
          eventSource:
            options.eventSource ??
            new LambdaEventSourceControl(wiring.clients.lambda(), context.functionName),
          log: (event, fields) => console.log(JSON.stringify({ level: 'warn', event, ...fields })),
        },
        wiring.config.jobId,
        wiring.config.restartStrategy,
        error,
        context.getRemainingTimeInMillis() - 5_000,
      );
    },
    processor: () => {
      const wiring = wiringOnce();
      const { config } = wiring;
      const log = (event: string, fields: Record<string, unknown>) =>
        console.log(JSON.stringify({ level: 'info', event, ...fields }));
      return new CheckpointedProcessor({
        settings: {
          jobId: wiring.config.jobId,
          operatorName: operator.name,
          mode: wiring.config.mode,
          memoryThresholdBytes: wiring.config.memoryThresholdBytes,
          compression: wiring.config.snapshotCompression,
          containerId: `container-${randomUUID()}`,
        },
        store: wiring.store,
        snapshots: wiring.snapshots,
        reader: wiring.reader,
        clock: wiring.clock,
        ...(wiring.sink ? { sink: wiring.sink } : {}),
        createRuntime: (shardId) => new OperatorRuntime(operator, { shardId, clock: wiring.clock }),
        log,
        // The processors drive checkpoints (ADR 0001): a coordinator step after a batch that
        // acked, or on the leading shard when the next trigger is due. Needs the barrier
        // writer (kinesis:ListShards/PutRecords) and S3 deletes (subsumption).
        coordination: {
          deps: {
            store: wiring.store,
            snapshots: wiring.snapshots,
            writer: wiring.writer,
            clock: wiring.clock,
            log,
          },
          settings: {
            jobId: config.jobId,
            config,
            storagePrefixFor: (id) =>
              checkpointPrefix(wiring.checkpointsPrefix, config.jobId, id).replace(/\/$/, ''),
            abortedHistorySize: DEFAULT_COORDINATOR_SETTINGS.abortedHistorySize,
          },
        },
      });
    },
  });
}
