import { encodeSnapshot } from '../core/snapshot/index.js';
import { clickCounter, WINDOW_SIZE_MS, type WindowCount } from '../core/state/examples/click-counter.js';
import { OperatorRuntime } from '../core/state/operator-runtime.js';
import type { SnapshotMetadata, StateSnapshotContent } from '../core/state/snapshot-content.js';
import { MB } from './stats.js';

const PAGES = ['/home', '/search', '/product', '/cart', '/checkout'];
export const CLOSED_WINDOWS_PER_USER = 20;

/**
 * Click-counter state for `users` users after a long run, object-heavy like the real
 * thing: per user a count, clicks per page (MapState), an amount, an open window
 * with its timer, and the last closed windows (ListState of objects).
 */
export function clickCounterState(users: number, startMs = 1_700_000_000_000): StateSnapshotContent {
  const clicks: Array<[string, unknown]> = [];
  const clicksByPage: Array<[string, unknown]> = [];
  const amountCents: Array<[string, unknown]> = [];
  const windowClicks: Array<[string, unknown]> = [];
  const closedWindows: Array<[string, unknown]> = [];
  const eventTime: StateSnapshotContent['timers']['eventTime'] = [];
  const openWindowStartMs = startMs + CLOSED_WINDOWS_PER_USER * WINDOW_SIZE_MS;
  for (let u = 0; u < users; u++) {
    const userId = `user-${u}`;
    clicks.push([userId, 40 + (u % 97)]);
    clicksByPage.push([userId, PAGES.map((page, i) => [page, 1 + ((u + i) % 13)])]);
    amountCents.push([userId, 10_000 + ((u * 7919) % 50_000)]);
    windowClicks.push([userId, [[openWindowStartMs, 1 + (u % 5)]]]);
    const closed: WindowCount[] = [];
    for (let w = 0; w < CLOSED_WINDOWS_PER_USER; w++) {
      closed.push({ userId, windowStartMs: startMs + w * WINDOW_SIZE_MS, clicks: 1 + ((u + w) % 9) });
    }
    closedWindows.push([userId, closed]);
    eventTime.push({ key: userId, timestampMs: openWindowStartMs + WINDOW_SIZE_MS - 1 });
  }
  return {
    keyed: { clicks, clicksByPage, amountCents, windowClicks, closedWindows },
    operator: { processed: users * 40, windowsFired: users * CLOSED_WINDOWS_PER_USER, lateClicksDropped: 0 },
    timers: { eventTime, processingTime: [] },
    watermarkMs: openWindowStartMs - 1,
  };
}

/** A click-counter runtime holding `users` users' state. */
export function runtimeWithUsers(users: number) {
  return OperatorRuntime.fromSnapshot(clickCounter, clickCounterState(users), {
    shardId: 'shardId-000000000000',
  });
}

/** The metadata every snapshot benchmark encodes with. */
export const BENCH_SNAPSHOT_META: SnapshotMetadata = {
  jobId: 'bench',
  shardId: 'shardId-000000000000',
  checkpointId: 1,
  sequenceNumber: '49000000000000000000000000000000000000000000000000000001',
  operatorName: 'click-counter',
  createdAtMs: 1_700_000_000_000,
};

/** Users whose click-counter state encodes to about `targetMb` (sized from a sample: bytes per user are nearly constant). */
export function usersForStateMb(targetMb: number): number {
  const sampleUsers = 2_000;
  const sampleBytes = encodeSnapshot(BENCH_SNAPSHOT_META, runtimeWithUsers(sampleUsers).snapshotView(), {
    compression: 'none',
  }).byteLength;
  return Math.max(1, Math.round((targetMb * MB * sampleUsers) / sampleBytes));
}
