import {
  type CrashContext,
  type CrashPoint,
  type FaultInjector,
  InjectedCrashError,
} from '../../core/processing/crash-points.js';
import { randomInt } from './random.js';

export interface CrashScheduleOptions {
  points: readonly CrashPoint[];
  /** Crashes to inject at each point over the run. */
  crashesPerPoint: number;
  /** A crash happens on a random visit between 1 and this many visits of the point. */
  maxVisitsBetweenCrashes: number;
  random: () => number;
  /** Extra effect just before a crash (e.g. a half-written upload at mid-upload). */
  beforeCrash?: (point: CrashPoint, context: CrashContext) => Promise<void> | void;
}

/**
 * Crashes the invocation at every named point of the protocol, a fixed number of
 * times each, at seeded random visits: reproducible from the seed.
 */
export class CrashSchedule implements FaultInjector {
  readonly crashes = new Map<CrashPoint, number>();
  private readonly countdown = new Map<CrashPoint, number>();

  constructor(private readonly options: CrashScheduleOptions) {
    for (const point of options.points) {
      this.crashes.set(point, 0);
      this.countdown.set(point, this.nextGap());
    }
  }

  async at(point: CrashPoint, context: CrashContext): Promise<void> {
    const left = this.countdown.get(point);
    if (left === undefined || (this.crashes.get(point) ?? 0) >= this.options.crashesPerPoint) return;
    if (left > 1) {
      this.countdown.set(point, left - 1);
      return;
    }
    this.countdown.set(point, this.nextGap());
    this.crashes.set(point, (this.crashes.get(point) ?? 0) + 1);
    await this.options.beforeCrash?.(point, context);
    throw new InjectedCrashError(point, context);
  }

  totalCrashes(): number {
    return [...this.crashes.values()].reduce((a, b) => a + b, 0);
  }

  /** Points that never fired (the run was too short to reach them). */
  missedPoints(): CrashPoint[] {
    return [...this.crashes].filter(([, n]) => n < this.options.crashesPerPoint).map(([p]) => p);
  }

  private nextGap(): number {
    return randomInt(this.options.random, 1, this.options.maxVisitsBetweenCrashes);
  }
}
