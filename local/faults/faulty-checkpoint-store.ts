import { StorageUnavailableError, ThrottledError } from '../../core/errors/index.js';
import type { CheckpointStore } from '../../core/ports/checkpoint-store.js';
import type { FaultClass, FaultPlan } from './fault-classes.js';

/** Calls that change an item: the only ones whose failure can be ambiguous. */
const WRITES = new Set<string>([
  'createJob',
  'updateJob',
  'allocateCheckpointId',
  'advanceLatestCheckpoint',
  'createCheckpoint',
  'transitionCheckpoint',
  'deleteCheckpoint',
  'putAck',
  'deleteAcks',
  'createCursor',
  'commitCursor',
  'replaceCursor',
]);

/**
 * Wraps any CheckpointStore (memory or DynamoDB) so that seeded calls fail the
 * way DynamoDB fails once the adapter's own retries are exhausted:
 * - throttling and 5xx before the write: nothing applied, the caller sees the error;
 * - ambiguous writes: the write is applied, then the caller sees a 5xx.
 */
export function faultyCheckpointStore(
  store: CheckpointStore,
  plan: FaultPlan,
  /** Which class makes writes ambiguous: the processors' or the coordinator's view of the table. */
  ambiguousClass: FaultClass = 'dynamodb-ambiguous-write',
): CheckpointStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const op = String(property);
      return async (...args: unknown[]) => {
        if (plan.fires('dynamodb-throttling', `throttled ${op}`)) {
          throw new ThrottledError(
            `injected fault: DynamoDB throttled ${op} (ProvisionedThroughputExceeded after the adapter's retries); retry later`,
          );
        }
        if (plan.fires('dynamodb-5xx', `5xx before ${op}`)) {
          throw new StorageUnavailableError(
            `injected fault: DynamoDB returned 500 for ${op} before applying it; retry the call`,
          );
        }
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (WRITES.has(op) && plan.fires(ambiguousClass, `ambiguous ${op}`)) {
          throw new StorageUnavailableError(
            `injected fault: DynamoDB applied ${op} but the response was lost (500); the outcome is unknown to the caller`,
          );
        }
        return result;
      };
    },
  });
}
