import { describe, expect, it } from 'vitest';
import {
  defineOperator,
  NoKeyedContextError,
  type OnTimerContext,
  OperatorRuntime,
  OperatorUsageError,
  type ProcessContext,
  type StateDescriptors,
  type TimeDomain,
  valueState,
} from '../../../core/state/index.js';
import { jsonRecord, SHARD_ID } from './records.js';

type AnyCtx = ProcessContext<StateDescriptors, Record<never, never>>;
type TimerCtx = OnTimerContext<StateDescriptors, Record<never, never>>;

interface Fired {
  timestampMs: number;
  key: string;
  domain: TimeDomain;
}

/**
 * Each record is `{ t, body? }`: its event time is `t`; processElement runs the body
 * registered under the record's `body` name. onTimer logs the firing and runs `onTimer`.
 */
function harness(options: { outOfOrdernessMs?: number; maxCascadingTimers?: number; nowMs?: number } = {}) {
  const bodies = new Map<string, (ctx: AnyCtx) => void>();
  const log: string[] = [];
  const fired: Fired[] = [];
  let onTimer: (timestampMs: number, ctx: TimerCtx) => void = () => undefined;
  let nowMs = options.nowMs ?? 0;
  const definition = defineOperator({
    name: 'timer-test',
    state: { seen: valueState({ default: 0 }) },
    timestampOf: (event: { t: number; body?: string }) => event.t,
    outOfOrdernessMs: options.outOfOrdernessMs ?? 0,
    processElement(event, ctx) {
      log.push(`process ${ctx.key}@${event.t}`);
      if (event.body !== undefined) bodies.get(event.body)?.(ctx as unknown as AnyCtx);
    },
    onTimer(timestampMs, ctx) {
      log.push(`timer ${ctx.key}@${timestampMs}`);
      fired.push({ timestampMs, key: ctx.key, domain: ctx.timeDomain });
      onTimer(timestampMs, ctx as unknown as TimerCtx);
    },
  });
  const runtime = new OperatorRuntime(definition, {
    shardId: SHARD_ID,
    clock: { nowMs: () => nowMs },
    ...(options.maxCascadingTimers === undefined ? {} : { maxCascadingTimers: options.maxCascadingTimers }),
  });
  let bodyId = 0;
  return {
    runtime,
    log,
    fired,
    setNow(ms: number) {
      nowMs = ms;
    },
    onTimer(fn: (timestampMs: number, ctx: TimerCtx) => void) {
      onTimer = fn;
    },
    /** Processes one record of `key` at event time `t`, running `body` inside processElement. */
    at(key: string, t: number, body?: (ctx: AnyCtx) => void) {
      const name = body === undefined ? undefined : `b${bodyId++}`;
      if (name !== undefined && body !== undefined) bodies.set(name, body);
      runtime.processRecord(jsonRecord(key, { t, body: name }));
    },
  };
}

describe('event-time timers', () => {
  it('fire once the watermark reaches them, in timestamp then key order, with the timer key current', () => {
    // Prepare
    const h = harness();
    h.at('b', 1, (ctx) => ctx.timerService.registerEventTimeTimer(20));
    h.at('a', 2, (ctx) => ctx.timerService.registerEventTimeTimer(20));
    h.at('c', 3, (ctx) => ctx.timerService.registerEventTimeTimer(10));
    h.at('a', 4, (ctx) => ctx.timerService.registerEventTimeTimer(30));
    // Act
    h.at('z', 25);
    // Assess
    expect(h.fired).toEqual([
      { timestampMs: 10, key: 'c', domain: 'EVENT_TIME' },
      { timestampMs: 20, key: 'a', domain: 'EVENT_TIME' },
      { timestampMs: 20, key: 'b', domain: 'EVENT_TIME' },
    ]);
    expect(h.runtime.stats().timers).toBe(1);
  });

  it('fire after the processElement of the record that moves the watermark past them', () => {
    const h = harness();
    h.at('a', 1, (ctx) => ctx.timerService.registerEventTimeTimer(5));
    h.at('b', 5);
    expect(h.log).toEqual(['process a@1', 'process b@5', 'timer a@5']);
  });

  it('are deduplicated per key and timestamp', () => {
    const h = harness();
    h.at('a', 1, (ctx) => {
      ctx.timerService.registerEventTimeTimer(5);
      ctx.timerService.registerEventTimeTimer(5);
    });
    h.at('a', 2, (ctx) => ctx.timerService.registerEventTimeTimer(5));
    h.at('b', 3, (ctx) => ctx.timerService.registerEventTimeTimer(5));
    h.at('x', 100);
    expect(h.fired.map((f) => `${f.key}@${f.timestampMs}`)).toEqual(['a@5', 'b@5']);
  });

  it('do not fire once deleted, and a delete touches only the current key', () => {
    const h = harness();
    h.at('a', 1, (ctx) => ctx.timerService.registerEventTimeTimer(5));
    h.at('b', 1, (ctx) => ctx.timerService.registerEventTimeTimer(5));
    h.at('a', 2, (ctx) => {
      ctx.timerService.deleteEventTimeTimer(5);
      ctx.timerService.deleteEventTimeTimer(77);
    });
    h.at('x', 100);
    expect(h.fired.map((f) => f.key)).toEqual(['b']);
  });

  it('keep the watermark from moving backwards when timestamps arrive out of order', () => {
    // Prepare
    const h = harness();
    const watermarks: number[] = [];
    const observe = (ctx: AnyCtx) => watermarks.push(ctx.timerService.currentWatermark());
    // Act
    h.at('a', 100, observe);
    h.at('a', 50, observe);
    h.at('a', 70, observe);
    h.at('a', 120, observe);
    // Assess: each record sees the watermark as of before it.
    expect(watermarks).toEqual([Number.NEGATIVE_INFINITY, 100, 100, 100]);
    expect(h.runtime.watermarkMs).toBe(120);
  });

  it('wait for the largest timestamp minus outOfOrdernessMs to reach them', () => {
    // Prepare
    const h = harness({ outOfOrdernessMs: 10 });
    h.at('a', 0, (ctx) => ctx.timerService.registerEventTimeTimer(95));
    // Act
    h.at('a', 100);
    const firedAt100 = h.fired.length;
    h.at('a', 104);
    const firedAt104 = h.fired.length;
    h.at('a', 105);
    // Assess
    expect([firedAt100, firedAt104, h.fired.length]).toEqual([0, 0, 1]);
    expect(h.runtime.watermarkMs).toBe(95);
  });

  it('registered in onTimer fire in the same round when already due, and later otherwise', () => {
    // Prepare
    const h = harness();
    h.at('a', 0, (ctx) => ctx.timerService.registerEventTimeTimer(10));
    h.onTimer((ts, ctx) => {
      if (ts === 10) {
        ctx.timerService.registerEventTimeTimer(12);
        ctx.timerService.registerEventTimeTimer(50);
      }
    });
    // Act
    h.at('b', 20);
    // Assess
    expect(h.fired.map((f) => `${f.key}@${f.timestampMs}`)).toEqual(['a@10', 'a@12']);
    expect(h.runtime.captureSnapshot().timers.eventTime).toEqual([{ key: 'a', timestampMs: 50 }]);
  });

  it('stop an onTimer that keeps registering due timers, with an error naming the loop', () => {
    const h = harness({ maxCascadingTimers: 5 });
    h.at('a', 0, (ctx) => ctx.timerService.registerEventTimeTimer(1));
    h.onTimer((ts, ctx) => ctx.timerService.registerEventTimeTimer(ts));
    expect(() => h.at('a', 10)).toThrow(/more than 5 EVENT_TIME timers.*endless timer loop/);
    expect(h.fired).toHaveLength(6);
  });

  it('give onTimer keyed state of the timer key', () => {
    const h = harness();
    h.at('a', 0, (ctx) => {
      (ctx.state.seen as { update(v: number): void }).update(7);
      ctx.timerService.registerEventTimeTimer(1);
    });
    let seenInTimer: unknown;
    h.onTimer((_ts, ctx) => {
      seenInTimer = (ctx.state.seen as { value(): number }).value();
    });
    h.at('b', 5);
    expect(seenInTimer).toBe(7);
  });
});

describe('processing-time timers', () => {
  it('fire only when the framework advances processing time, in order, in the PROCESSING_TIME domain', () => {
    // Prepare
    const h = harness();
    h.at('b', 0, (ctx) => ctx.timerService.registerProcessingTimeTimer(300));
    h.at('a', 0, (ctx) => ctx.timerService.registerProcessingTimeTimer(200));
    h.at('c', 0, (ctx) => ctx.timerService.registerProcessingTimeTimer(900));
    h.at('x', 10_000);
    const firedByEventTime = h.fired.length;
    // Act
    h.runtime.advanceProcessingTime(300);
    // Assess
    expect(firedByEventTime).toBe(0);
    expect(h.fired).toEqual([
      { timestampMs: 200, key: 'a', domain: 'PROCESSING_TIME' },
      { timestampMs: 300, key: 'b', domain: 'PROCESSING_TIME' },
    ]);
  });

  it('can be deleted, and currentProcessingTime reads the injected clock', () => {
    const h = harness({ nowMs: 1_234 });
    let now = 0;
    h.at('a', 0, (ctx) => {
      now = ctx.timerService.currentProcessingTime();
      ctx.timerService.registerProcessingTimeTimer(5);
      ctx.timerService.deleteProcessingTimeTimer(5);
    });
    h.runtime.advanceProcessingTime(10);
    expect(now).toBe(1_234);
    expect(h.fired).toEqual([]);
  });
});

describe('timer misuse', () => {
  it('rejects a timer at a non-finite timestamp', () => {
    const h = harness();
    expect(() => h.at('a', 0, (ctx) => ctx.timerService.registerEventTimeTimer(Number.NaN))).toThrow(
      OperatorUsageError,
    );
  });

  it('rejects registering a timer when the operator has no onTimer', () => {
    const runtime = new OperatorRuntime(
      defineOperator({
        name: 'no-timers',
        processElement(_event, ctx) {
          ctx.timerService.registerEventTimeTimer(1);
        },
      }),
    );
    expect(() => runtime.processRecord(jsonRecord('a', {}))).toThrow(/defines no onTimer/);
  });

  it('rejects registering a timer outside processElement and onTimer', () => {
    const h = harness();
    let kept: AnyCtx | undefined;
    h.at('a', 0, (ctx) => {
      kept = ctx;
    });
    expect(() => kept?.timerService.registerEventTimeTimer(1)).toThrow(NoKeyedContextError);
    expect(kept?.timerService.currentWatermark()).toBe(0);
  });
});
