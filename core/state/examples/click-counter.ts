/**
 * Example operator: click analytics per user, run with the heap state backend.
 *
 * Input: Kinesis records whose partition key is the user id and whose data is UTF-8
 * JSON like `{ "userId": "u1", "page": "/home", "amountCents": 250, "atMs": 1700000000000 }`.
 * Per user (the current key) it keeps
 * - `clicks`: how many clicks (ValueState with a default),
 * - `clicksByPage`: clicks per page (MapState),
 * - `amountCents`: the sum of amounts (ReducingState),
 * - a 60 s event-time tumbling window: `windowClicks` counts clicks per open window
 *   (window start -> count) and an event-time timer at the window's last millisecond
 *   closes it; onTimer appends the result to `closedWindows` (ListState).
 * Operator state counts records processed, windows fired and late clicks dropped.
 *
 * Event time is the click's own `atMs`, with 5 s of allowed out-of-orderness: the
 * watermark trails the latest click by 5 s, so a window closes once a click at least
 * 5 s past its end has been seen, and clicks for already-closed windows are dropped
 * (Flink's default for late elements). Everything here is a function of the input,
 * which is what makes recovery exactly-once.
 *
 * Run it: `npx tsx core/state/examples/click-counter.ts`.
 */
import { pathToFileURL } from 'node:url';
import type { StreamRecord } from '../../ports/stream.js';
import { defineOperator } from '../define-operator.js';
import { listState, mapState, reducingState, valueState } from '../descriptors.js';
import { OperatorRuntime } from '../operator-runtime.js';

export interface ClickEvent {
  userId: string;
  page: string;
  amountCents: number;
  atMs: number;
}

export interface WindowCount {
  userId: string;
  windowStartMs: number;
  clicks: number;
}

export const WINDOW_SIZE_MS = 60_000;

export const clickCounter = defineOperator({
  name: 'click-counter',
  state: {
    clicks: valueState({ default: 0 }),
    clicksByPage: mapState<string, number>(),
    amountCents: reducingState<number>((a, b) => a + b),
    windowClicks: mapState<number, number>(),
    closedWindows: listState<WindowCount>(),
  },
  operatorState: { processed: 0, windowsFired: 0, lateClicksDropped: 0 },
  timestampOf: (click: ClickEvent) => click.atMs,
  outOfOrdernessMs: 5_000,

  processElement(click: ClickEvent, ctx) {
    const { state } = ctx;
    state.clicks.update(state.clicks.value() + 1);
    state.clicksByPage.put(click.page, (state.clicksByPage.get(click.page) ?? 0) + 1);
    state.amountCents.add(click.amountCents);
    ctx.operatorState.update('processed', (n) => n + 1);

    const windowStartMs = click.atMs - (click.atMs % WINDOW_SIZE_MS);
    // Flink's window.maxTimestamp(): the last millisecond that belongs to the window.
    const windowEndMs = windowStartMs + WINDOW_SIZE_MS - 1;
    if (windowEndMs <= ctx.timerService.currentWatermark()) {
      ctx.operatorState.update('lateClicksDropped', (n) => n + 1);
      return;
    }
    state.windowClicks.put(windowStartMs, (state.windowClicks.get(windowStartMs) ?? 0) + 1);
    // Registered once per (user, window) however many clicks: timers are deduplicated.
    ctx.timerService.registerEventTimeTimer(windowEndMs);
  },

  onTimer(timestampMs, ctx) {
    const windowStartMs = timestampMs + 1 - WINDOW_SIZE_MS;
    const clicks = ctx.state.windowClicks.get(windowStartMs);
    if (clicks === undefined) return;
    ctx.state.windowClicks.remove(windowStartMs);
    ctx.state.closedWindows.add({ userId: ctx.key, windowStartMs, clicks });
    ctx.operatorState.update('windowsFired', (n) => n + 1);
    // Downstream result: published to the sink per the checkpointing mode.
    ctx.output({ userId: ctx.key, windowStartMs, clicks } satisfies WindowCount);
  },
});

const utf8 = new TextEncoder();

/** Kinesis-shaped records for clicks, in order on one shard (for the demo and tests). */
export function clickRecords(
  clicks: readonly ClickEvent[],
  shardId = 'shardId-000000000000',
): StreamRecord[] {
  return clicks.map((click, i) => ({
    shardId,
    sequenceNumber: String(49_000_000_000 + i),
    partitionKey: click.userId,
    data: utf8.encode(JSON.stringify(click)),
    arrivalTimeMs: click.atMs,
  }));
}

/** Feeds a few clicks through a runtime and returns it, so its state can be inspected. */
export function runClickCounterDemo(): OperatorRuntime<
  ClickEvent,
  typeof clickCounter.state,
  typeof clickCounter.operatorState
> {
  const t0 = Date.UTC(2024, 0, 1);
  const runtime = new OperatorRuntime(clickCounter, { shardId: 'shardId-000000000000' });
  const clicks: ClickEvent[] = [
    { userId: 'ann', page: '/home', amountCents: 100, atMs: t0 + 1_000 },
    { userId: 'bob', page: '/cart', amountCents: 250, atMs: t0 + 2_000 },
    { userId: 'ann', page: '/cart', amountCents: 300, atMs: t0 + 59_000 },
    // 1 s out of order, within the 5 s allowance: still counted in the first window.
    { userId: 'bob', page: '/home', amountCents: 50, atMs: t0 + 58_000 },
    // Moves the watermark to t0 + 65 s - 5 s = t0 + 60 s: the first window (ends t0 + 59.999 s) closes.
    { userId: 'ann', page: '/home', amountCents: 10, atMs: t0 + 65_000 },
  ];
  for (const record of clickRecords(clicks)) runtime.processRecord(record);
  return runtime;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runtime = runClickCounterDemo();
  console.log('clicks per user:', runtime.keyedEntries('clicks'));
  console.log('clicks per page:', JSON.stringify(runtime.keyedEntries('clicksByPage')));
  console.log('amount per user (cents):', runtime.keyedEntries('amountCents'));
  console.log('closed windows:', JSON.stringify(runtime.keyedEntries('closedWindows')));
  console.log('operator state:', runtime.captureSnapshot().operator, 'stats:', runtime.stats());
}
