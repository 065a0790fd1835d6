import type { KinesisHandler } from '../esm/event-source-mapping.js';
import type { FaultPlan } from './fault-classes.js';

type ContainerFactory = (containerId: string) => KinesisHandler;

/**
 * Wraps the event source mapping's container factory with delivery faults:
 * - duplicate delivery: a batch that just succeeded is delivered again (its
 *   response was lost), and the second response is what the poller sees;
 * - zombie invocation: a second container (one that timed out but still runs,
 *   with whatever stale memory it holds) processes the same batch concurrently;
 *   its outcome is ignored, as Lambda ignores a timed-out invocation.
 */
export function faultyContainers(createContainer: ContainerFactory, plan: FaultPlan): ContainerFactory {
  return (containerId) => {
    const handler = createContainer(containerId);
    let zombie: KinesisHandler | undefined;
    return async (event, context) => {
      if (plan.fires('zombie-invocation', 'zombie invocation')) {
        zombie ??= createContainer(`${containerId}-zombie`);
        // Both finish before the poller moves on, so a run stays reproducible from its seed.
        const [own] = await Promise.allSettled([handler(event, context), zombie(event, context)]);
        if (own.status === 'rejected') throw own.reason;
        return own.value;
      }
      const response = await handler(event, context);
      if (plan.fires('duplicate-delivery', 'duplicate delivery')) return handler(event, context);
      return response;
    };
  };
}
