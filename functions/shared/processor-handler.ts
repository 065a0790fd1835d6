import { randomUUID } from 'node:crypto';
import { checkpointedKinesisHandler } from '../../core/middy/checkpointing-middleware.js';
import { CheckpointedProcessor } from '../../core/processing/checkpointed-processor.js';
import { type AnyOperatorDefinition, OperatorRuntime } from '../../core/state/index.js';
import { type Wiring, wiringFromEnvironment } from './wiring.js';

export interface ProcessorHandlerOptions {
  /** Mirror of the event source mapping's ReportBatchItemFailures (serverless.yml sets it). */
  reportBatchItemFailures?: boolean;
  /** For tests and local runs; defaults to the Lambda environment. */
  wiring?: () => Wiring;
}

/**
 * The Kinesis-triggered Lambda handler for an operator: middy + the checkpoint
 * protocol, wired from the environment once per container.
 */
export function createProcessorHandler(
  operator: AnyOperatorDefinition,
  options: ProcessorHandlerOptions = {},
) {
  return checkpointedKinesisHandler({
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    processor: () => {
      const wiring = (options.wiring ?? wiringFromEnvironment)();
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
        log: (event, fields) => console.log(JSON.stringify({ level: 'info', event, ...fields })),
      });
    },
  });
}
