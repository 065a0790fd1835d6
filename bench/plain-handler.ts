import type { KinesisStreamEvent } from 'aws-lambda';
import { type ClickEvent, WINDOW_SIZE_MS, type WindowCount } from '../core/state/examples/click-counter.js';
import type { KinesisHandler } from '../local/esm/event-source-mapping.js';

interface UserState {
  clicks: number;
  clicksByPage: Map<string, number>;
  amountCents: number;
  windowClicks: Map<number, number>;
  closedWindows: WindowCount[];
}

const OUT_OF_ORDERNESS_MS = 5_000;

/**
 * The click counter written as a plain Lambda handler, with no framework: what a
 * team would write without checkpointing. Same work per record (base64 + JSON
 * decode, per-user counters, pages, amounts, 60 s event-time windows closed by a
 * 5 s watermark, each closed window also emitted as a result, as ctx.output does),
 * state in Maps of this container, nothing durable. The results of an invocation
 * are handed back with its response (where a real handler would send them on).
 */
export function plainClickCounterHandler(): KinesisHandler {
  const users = new Map<string, UserState>();
  /** Window end -> users with that window open (the framework's event-time timers). */
  const openWindows = new Map<number, Set<string>>();
  let watermarkMs = Number.NEGATIVE_INFINITY;
  let processed = 0;
  let lateClicksDropped = 0;
  let results: WindowCount[] = [];

  const fireUpTo = (watermark: number) => {
    for (const [windowEndMs, userIds] of openWindows) {
      if (windowEndMs > watermark) continue;
      openWindows.delete(windowEndMs);
      const windowStartMs = windowEndMs + 1 - WINDOW_SIZE_MS;
      for (const userId of userIds) {
        const user = users.get(userId)!;
        const clicks = user.windowClicks.get(windowStartMs);
        if (clicks === undefined) continue;
        user.windowClicks.delete(windowStartMs);
        user.closedWindows.push({ userId, windowStartMs, clicks });
        results.push({ userId, windowStartMs, clicks });
      }
    }
  };

  return async (event: KinesisStreamEvent) => {
    results = [];
    for (const record of event.Records) {
      const click = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as ClickEvent;
      const userId = record.kinesis.partitionKey;
      let user = users.get(userId);
      if (user === undefined) {
        user = {
          clicks: 0,
          clicksByPage: new Map(),
          amountCents: 0,
          windowClicks: new Map(),
          closedWindows: [],
        };
        users.set(userId, user);
      }
      user.clicks++;
      user.clicksByPage.set(click.page, (user.clicksByPage.get(click.page) ?? 0) + 1);
      user.amountCents += click.amountCents;
      processed++;
      const windowStartMs = click.atMs - (click.atMs % WINDOW_SIZE_MS);
      const windowEndMs = windowStartMs + WINDOW_SIZE_MS - 1;
      if (windowEndMs <= watermarkMs) {
        lateClicksDropped++;
      } else {
        user.windowClicks.set(windowStartMs, (user.windowClicks.get(windowStartMs) ?? 0) + 1);
        let open = openWindows.get(windowEndMs);
        if (open === undefined) {
          open = new Set();
          openWindows.set(windowEndMs, open);
        }
        open.add(userId);
      }
      const candidate = click.atMs - OUT_OF_ORDERNESS_MS;
      if (candidate > watermarkMs) {
        watermarkMs = candidate;
        fireUpTo(watermarkMs);
      }
    }
    return { batchItemFailures: [], processed, lateClicksDropped, results };
  };
}
