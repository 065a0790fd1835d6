import type { FailureEntry } from '../ports/checkpoint-store.js';

/**
 * What a restart strategy remembers between failures. It is stored in the job's
 * DynamoDB item (400 KB limit), so it never grows without bound: counters instead
 * of lists where a count is enough, and only the failures a strategy needs.
 */
export interface RestartHistory {
  /**
   * Failures, ascending by time. Kept: the newest RECENT_FAILURES_KEPT with their
   * reason (for the status view) and, for failure-rate, up to
   * maxFailuresPerInterval more inside the window, with the reason dropped.
   */
  failures: FailureEntry[];
  /** Delay of the last restart attempt; with lastFailureAtMs it gives the restart time. */
  lastRestartDelayMs?: number;
  /** Time of the failure that started the last restart attempt. */
  lastFailureAtMs?: number;
  /** Restart attempts: in total (fixed-delay), or since the backoff was last reset (exponential-delay). */
  restartAttempts?: number;
}

export const EMPTY_RESTART_HISTORY: RestartHistory = { failures: [] };

/** Failures kept with their reason, for the status view. */
export const RECENT_FAILURES_KEPT = 10;
/** Longest failure reason stored; a stack trace belongs in the logs, not the job item. */
export const MAX_FAILURE_REASON_CHARS = 300;

function truncateReason(reason: string): string {
  return reason.length <= MAX_FAILURE_REASON_CHARS
    ? reason
    : `${reason.slice(0, MAX_FAILURE_REASON_CHARS - 1)}…`;
}

export interface FailureRetention {
  /** Failures needed for a decision beyond the recent ones (failure-rate: maxFailuresPerInterval). */
  windowEntries: number;
  /** Failures before this time can never matter again (failure-rate: now - interval). */
  windowStartMs: number;
}

const NO_WINDOW: FailureRetention = { windowEntries: 0, windowStartMs: Number.POSITIVE_INFINITY };

/** Adds `failure` and prunes to what the strategy needs (see RestartHistory.failures). */
export function appendFailure(
  failures: readonly FailureEntry[],
  failure: FailureEntry,
  retention: FailureRetention = NO_WINDOW,
): FailureEntry[] {
  const all = [...failures, { atMs: failure.atMs, reason: truncateReason(failure.reason) }].sort(
    (a, b) => a.atMs - b.atMs,
  );
  const recentFrom = all.length - RECENT_FAILURES_KEPT;
  const windowFrom = all.length - retention.windowEntries;
  return all
    .map((f, i) => ({ f, i }))
    .filter(({ f, i }) => i >= recentFrom || (i >= windowFrom && f.atMs >= retention.windowStartMs))
    .map(({ f, i }) => (i >= recentFrom ? f : { atMs: f.atMs, reason: '' }));
}
