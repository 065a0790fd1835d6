import { CheckpointError } from '../errors/index.js';

/**
 * Named points of the per-batch protocol where a test can make the invocation
 * die. Production code calls `faults.at(point)` with a no-op injector.
 */
export const CRASH_POINTS = [
  'before-apply',
  'mid-batch',
  'after-apply-before-commit',
  'after-commit-before-ack',
  'mid-upload',
  'after-upload-before-ack',
  'after-ack',
  'after-commit-before-return',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

export interface CrashContext {
  shardId: string;
  /** Records applied so far in this batch (for mid-batch). */
  appliedInBatch?: number;
  checkpointId?: number;
}

export interface FaultInjector {
  /** May throw (to simulate a crash) or delay. */
  at(point: CrashPoint, context: CrashContext): void | Promise<void>;
}

export const NO_FAULTS: FaultInjector = { at: () => undefined };

/** What an injected crash throws, so tests can tell it from a real failure. */
export class InjectedCrashError extends CheckpointError {
  readonly point: CrashPoint;
  constructor(point: CrashPoint, context: CrashContext) {
    super('INJECTED_FAULT', `injected crash at ${point} on shard ${context.shardId}`, { retryable: true });
    this.name = 'InjectedCrashError';
    this.point = point;
  }
}
