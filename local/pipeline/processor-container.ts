import { checkpointedKinesisHandler } from '../../core/middy/checkpointing-middleware.js';
import type { OutputSink } from '../../core/ports/output-sink.js';
import { CheckpointedProcessor } from '../../core/processing/checkpointed-processor.js';
import type { FaultInjector } from '../../core/processing/crash-points.js';
import type { ProcessorCoordinationOptions } from '../../core/processing/processor-coordination.js';
import type { ProcessorDependencies, ProcessorSettings } from '../../core/processing/types.js';
import { type AnyOperatorDefinition, OperatorRuntime } from '../../core/state/index.js';
import type { KinesisHandler } from '../esm/event-source-mapping.js';
import type { PipelineParts } from './parts.js';

export interface ContainerOptions {
  parts: PipelineParts;
  operator: AnyOperatorDefinition;
  settings: Omit<ProcessorSettings, 'containerId' | 'operatorName'>;
  faults?: FaultInjector;
  sink?: OutputSink;
  reportBatchItemFailures?: boolean;
  /** The processors run coordinator steps after their batches (each container its own hint). */
  coordination?: ProcessorCoordinationOptions;
  /** The processors' protocol events (cursor-created, warm-catch-up, shard-restored, ...). */
  log?: ProcessorDependencies['log'];
}

/** A new Lambda container: the real middy handler around a fresh processor (empty memory). */
export function processorContainer(options: ContainerOptions): (containerId: string) => KinesisHandler {
  return (containerId) => {
    const { parts } = options;
    const processor = new CheckpointedProcessor({
      settings: { ...options.settings, operatorName: options.operator.name, containerId },
      store: parts.store,
      snapshots: parts.snapshots,
      reader: parts.reader,
      clock: parts.clock,
      createRuntime: (shardId) => new OperatorRuntime(options.operator, { shardId, clock: parts.clock }),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.sink ? { sink: options.sink } : {}),
      ...(options.coordination ? { coordination: options.coordination } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    const handler = checkpointedKinesisHandler({
      processor: () => processor,
      reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    });
    return (event, context) => handler(event, context);
  };
}
