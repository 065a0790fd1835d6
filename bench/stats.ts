/** Small numeric helpers shared by the benchmarks. */

/** The q-quantile (0..1) of `values` by nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** Milliseconds since `startMs` (performance.now() based). */
export function elapsedMs(startMs: number): number {
  return performance.now() - startMs;
}

export const MB = 1_000_000;

/** Rounds for display and results.json: 3 significant decimals where it matters. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lets timers and I/O run between microtask-only steps (in-memory ports never yield otherwise). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
