import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerQueue } from '../../../core/state/timer-queue.js';

function drain(queue: TimerQueue, upToMs: number): string[] {
  const fired: string[] = [];
  for (let timer = queue.pollDue(upToMs); timer !== undefined; timer = queue.pollDue(upToMs)) {
    fired.push(`${timer.timestampMs}:${timer.key}`);
  }
  return fired;
}

describe('TimerQueue', () => {
  it('polls due timers by timestamp, then by key, and leaves later ones', () => {
    // Prepare
    const queue = new TimerQueue();
    queue.register('b', 20);
    queue.register('a', 20);
    queue.register('c', 10);
    queue.register('a', 30);
    // Act
    const fired = drain(queue, 20);
    // Assess
    expect(fired).toEqual(['10:c', '20:a', '20:b']);
    expect(queue.size).toBe(1);
    expect(queue.peekTimestampMs()).toBe(30);
  });

  it('registers a (key, timestamp) once and reports duplicates', () => {
    const queue = new TimerQueue();
    expect([queue.register('a', 5), queue.register('a', 5), queue.register('b', 5)]).toEqual([
      true,
      false,
      true,
    ]);
    expect(drain(queue, 5)).toEqual(['5:a', '5:b']);
  });

  it('never fires a deleted timer, and fires it once when registered again', () => {
    // Prepare
    const queue = new TimerQueue();
    queue.register('a', 5);
    queue.register('b', 5);
    // Act
    const deleted = [queue.delete('a', 5), queue.delete('a', 5), queue.delete('zzz', 1)];
    queue.delete('b', 5);
    queue.register('b', 5);
    // Assess
    expect(deleted).toEqual([true, false, false]);
    expect(drain(queue, 100)).toEqual(['5:b']);
    expect(queue.peekTimestampMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('fires a timer registered again at a timestamp whose timers all fired or were deleted', () => {
    // Prepare: register reuses the last timestamp's bucket, which must not outlive it.
    const queue = new TimerQueue();
    queue.register('a', 5);
    drain(queue, 5);
    queue.register('b', 7);
    queue.delete('b', 7);
    // Act
    queue.register('c', 5);
    queue.register('d', 7);
    // Assess
    expect(queue.size).toBe(2);
    expect(queue.peekTimestampMs()).toBe(5);
    expect(drain(queue, 10)).toEqual(['5:c', '7:d']);
  });

  it('lists live timers as fresh copies in firing order', () => {
    const queue = new TimerQueue();
    queue.register('z', 1);
    queue.register('a', 2);
    queue.register('a', 1);
    queue.delete('a', 2);
    const entries = queue.entries();
    expect(entries).toEqual([
      { key: 'a', timestampMs: 1 },
      { key: 'z', timestampMs: 1 },
    ]);
    entries[0]!.timestampMs = 999;
    expect(queue.entries()[0]).toEqual({ key: 'a', timestampMs: 1 });
  });

  it('keeps its heap bounded by the live timers under register/delete churn (session-window pattern)', () => {
    // Prepare
    const queue = new TimerQueue();
    // Act: each step moves one key's timer forward, as a session window does on every record.
    for (let ts = 0; ts < 10_000; ts++) {
      queue.delete('a', ts - 1);
      queue.register('a', ts);
    }
    // Assess
    const heapSlots = (queue as unknown as { timestamps: unknown[] }).timestamps.length;
    expect(queue.size).toBe(1);
    expect(heapSlots).toBeLessThanOrEqual(65);
    expect(drain(queue, Number.POSITIVE_INFINITY)).toEqual(['9999:a']);
  });

  it('behaves like a sorted set under any mix of register, delete and poll (model check)', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd');
    // A narrow range, so timers often share a timestamp with the batch being drained.
    const ts = fc.integer({ min: 0, max: 8 });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('register' as const), key, ts }),
      fc.record({ kind: fc.constant('delete' as const), key, ts }),
      // One poll at a time, so registers and deletes land while a timestamp's batch is draining.
      fc.record({ kind: fc.constant('pollOne' as const), key: fc.constant(''), ts }),
      fc.record({ kind: fc.constant('drain' as const), key: fc.constant(''), ts }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => {
        const queue = new TimerQueue();
        const model = new Map<string, { key: string; ts: number }>();
        const due = (upToMs: number) =>
          [...model.values()]
            .filter((t) => t.ts <= upToMs)
            .sort((x, y) => x.ts - y.ts || (x.key < y.key ? -1 : 1))
            .map((t) => `${t.ts}:${t.key}`);
        for (const { kind, key, ts } of ops) {
          const id = `${ts}:${key}`;
          if (kind === 'register') {
            expect(queue.register(key, ts)).toBe(!model.has(id));
            model.set(id, { key, ts });
          } else if (kind === 'delete') {
            expect(queue.delete(key, ts)).toBe(model.delete(id));
          } else if (kind === 'pollOne') {
            const expected = due(ts)[0];
            const polled = queue.pollDue(ts);
            expect(polled === undefined ? undefined : `${polled.timestampMs}:${polled.key}`).toBe(expected);
            if (expected !== undefined) model.delete(expected);
          } else {
            const expected = due(ts);
            for (const id of expected) model.delete(id);
            expect(drain(queue, ts)).toEqual(expected);
          }
          expect(queue.size).toBe(model.size);
          expect(queue.peekTimestampMs()).toBe(Math.min(...[...model.values()].map((t) => t.ts)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
