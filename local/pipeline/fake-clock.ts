import type { Clock } from '../../core/ports/clock.js';

/** A clock that only moves when told: simulated hours run in seconds, deterministically. */
export class FakeClock implements Clock {
  constructor(private current = 1_700_000_000_000) {}
  nowMs(): number {
    return this.current;
  }
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`FakeClock.advance expects ms >= 0, got ${ms}`);
    this.current += ms;
  }
}
