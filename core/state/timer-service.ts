import type { Clock } from '../ports/clock.js';
import { OperatorUsageError } from './errors.js';
import type { KeyContext } from './key-context.js';
import type { TimerEntry } from './snapshot-content.js';
import { TimerQueue } from './timer-queue.js';

export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

/**
 * Timers of the current key, as Flink's TimerService. A timer is one (key, timestamp):
 * registering it twice fires it once; deleting an unknown timer does nothing.
 *
 * Event-time timers fire when the shard's watermark reaches them; the watermark only
 * depends on the records, so they fire at the same points on every replay and are
 * exactly-once safe. Processing-time timers fire when the framework advances
 * processing time (wall clock): after a restore and replay they may fire at other
 * points of the input than in the first run (as in Flink), so output that depends on
 * them is not deterministic.
 */
export interface TimerService {
  /** The shard's event-time watermark; -Infinity before the first record (Flink: Long.MIN_VALUE). */
  currentWatermark(): number;
  currentProcessingTime(): number;
  registerEventTimeTimer(timestampMs: number): void;
  deleteEventTimeTimer(timestampMs: number): void;
  registerProcessingTimeTimer(timestampMs: number): void;
  deleteProcessingTimeTimer(timestampMs: number): void;
}

export interface TimerServiceOptions {
  keys: KeyContext;
  clock: Clock;
  /** False when the operator has no onTimer: registering a timer is then a mistake. */
  hasOnTimer: boolean;
  maxCascadingTimers: number;
}

/** The runtime's side of the timer service: watermark, both queues, firing. */
export class HeapTimerService implements TimerService {
  eventTime = new TimerQueue();
  processingTime = new TimerQueue();
  watermarkMs = Number.NEGATIVE_INFINITY;
  private firingDomain: TimeDomain | null = null;
  private firingUpToMs = Number.NEGATIVE_INFINITY;
  private cascadedTimers = 0;

  constructor(private readonly options: TimerServiceOptions) {}

  currentWatermark(): number {
    return this.watermarkMs;
  }

  currentProcessingTime(): number {
    return this.options.clock.nowMs();
  }

  registerEventTimeTimer(timestampMs: number): void {
    this.register(this.eventTime, 'EVENT_TIME', 'registerEventTimeTimer', timestampMs);
  }

  deleteEventTimeTimer(timestampMs: number): void {
    this.eventTime.delete(this.timerKey('deleteEventTimeTimer'), timestampMs);
  }

  registerProcessingTimeTimer(timestampMs: number): void {
    this.register(this.processingTime, 'PROCESSING_TIME', 'registerProcessingTimeTimer', timestampMs);
  }

  deleteProcessingTimeTimer(timestampMs: number): void {
    this.processingTime.delete(this.timerKey('deleteProcessingTimeTimer'), timestampMs);
  }

  /** Moves the watermark forward (never back) to candidateMs; returns whether event-time timers are due. */
  advanceWatermark(candidateMs: number): boolean {
    if (candidateMs > this.watermarkMs) this.watermarkMs = candidateMs;
    return this.eventTime.size > 0 && this.eventTime.peekTimestampMs() <= this.watermarkMs;
  }

  /**
   * Fires every timer of the domain with timestamp <= upToMs, in (timestamp, key) order,
   * including timers that onTimer itself registers as already due, up to the cascade bound.
   */
  fire(domain: TimeDomain, upToMs: number, onFire: (timer: TimerEntry) => void): void {
    const queue = domain === 'EVENT_TIME' ? this.eventTime : this.processingTime;
    this.firingDomain = domain;
    this.firingUpToMs = upToMs;
    this.cascadedTimers = 0;
    try {
      for (let timer = queue.pollDue(upToMs); timer !== undefined; timer = queue.pollDue(upToMs)) {
        onFire(timer);
      }
    } finally {
      this.firingDomain = null;
    }
  }

  private register(queue: TimerQueue, domain: TimeDomain, method: string, timestampMs: number): void {
    const key = this.timerKey(method);
    if (!Number.isFinite(timestampMs)) {
      throw new OperatorUsageError(
        this.options.keys.operatorName,
        `timerService.${method} expects a finite timestamp in epoch milliseconds, got ${timestampMs}.`,
      );
    }
    if (!this.options.hasOnTimer) {
      throw new OperatorUsageError(
        this.options.keys.operatorName,
        `timerService.${method} was called but the operator defines no onTimer: add onTimer to handle the timer.`,
      );
    }
    const added = queue.register(key, timestampMs);
    if (added && this.firingDomain === domain && timestampMs <= this.firingUpToMs) {
      this.cascadedTimers++;
      if (this.cascadedTimers > this.options.maxCascadingTimers) {
        throw new OperatorUsageError(
          this.options.keys.operatorName,
          `onTimer registered more than ${this.options.maxCascadingTimers} ${domain} timers that were already due ` +
            'while firing timers: this looks like an endless timer loop. Register timers after the current time.',
        );
      }
    }
  }

  private timerKey(method: string): string {
    const keys = this.options.keys;
    const key = keys.currentKey;
    return key === null ? keys.missing(`timerService.${method}`) : key;
  }
}
