import { describeValue, StateRestoreError } from './errors.js';
import type { StateSnapshotContent } from './snapshot-content.js';
import { TimerQueue } from './timer-queue.js';
import type { HeapTimerService } from './timer-service.js';

function queueFrom(entries: unknown, path: string): TimerQueue {
  if (!Array.isArray(entries)) {
    throw new StateRestoreError(path, `expected an array of timers, found ${describeValue(entries)}.`);
  }
  const queue = new TimerQueue();
  for (let i = 0; i < entries.length; i++) {
    const timer: unknown = entries[i];
    const { key, timestampMs } = (timer ?? {}) as Partial<Record<string, unknown>>;
    if (typeof key !== 'string' || typeof timestampMs !== 'number' || !Number.isFinite(timestampMs)) {
      throw new StateRestoreError(
        `${path}[${i}]`,
        `expected { key: string, timestampMs: finite number }, found ${describeValue(timer)}.`,
      );
    }
    queue.register(key, timestampMs);
  }
  return queue;
}

/** Validates the timers and watermark of a snapshot and returns the swap to apply; changes nothing itself. */
export function prepareTimerRestore(
  service: HeapTimerService,
  content: Partial<StateSnapshotContent> | null,
  hasOnTimer: boolean,
): () => void {
  const timers: unknown = content?.timers;
  if (timers === null || typeof timers !== 'object') {
    throw new StateRestoreError(
      'timers',
      `expected { eventTime, processingTime }, found ${describeValue(timers)}.`,
    );
  }
  const { eventTime, processingTime } = timers as Partial<Record<string, unknown>>;
  const eventQueue = queueFrom(eventTime, 'timers.eventTime');
  const processingQueue = queueFrom(processingTime, 'timers.processingTime');
  if (!hasOnTimer && eventQueue.size + processingQueue.size > 0) {
    throw new StateRestoreError(
      'timers',
      'the snapshot holds timers but the operator defines no onTimer to fire them: add onTimer.',
    );
  }
  const watermarkMs: unknown = content?.watermarkMs;
  if (watermarkMs !== null && (typeof watermarkMs !== 'number' || Number.isNaN(watermarkMs))) {
    throw new StateRestoreError(
      'watermarkMs',
      `expected a number or null, found ${describeValue(watermarkMs)}.`,
    );
  }
  return () => {
    service.eventTime = eventQueue;
    service.processingTime = processingQueue;
    service.watermarkMs = watermarkMs ?? Number.NEGATIVE_INFINITY;
  };
}
