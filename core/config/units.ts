import { type Checked, ok, problem, show } from './check.js';

/**
 * Flink's textual durations and memory sizes, as written in flink-conf.yaml:
 * "10 s", "10s", "1 min", "500 ms", "1h"; "1kb", "4 kb", "1 mb". A bare number is
 * milliseconds (durations) or bytes (sizes), as in Flink's TimeUtils and MemorySize.
 * Like Flink, the amount is a whole number and units are case-insensitive.
 */

/** Milliseconds per unit; sub-millisecond units are divisors (see below). */
type DurationUnit = { readonly ms: number } | { readonly perMs: number };
const DURATION_UNITS: ReadonlyMap<string, DurationUnit> = new Map<string, DurationUnit>([
  ...labels(['d', 'day', 'days'], { ms: 86_400_000 }),
  ...labels(['h', 'hour', 'hours'], { ms: 3_600_000 }),
  ...labels(['min', 'm', 'minute', 'minutes'], { ms: 60_000 }),
  ...labels(['s', 'sec', 'secs', 'second', 'seconds'], { ms: 1_000 }),
  ...labels(['ms', 'milli', 'millis', 'millisecond', 'milliseconds'], { ms: 1 }),
  ...labels(['µs', 'micro', 'micros', 'microsecond', 'microseconds'], { perMs: 1_000 }),
  ...labels(['ns', 'nano', 'nanos', 'nanosecond', 'nanoseconds'], { perMs: 1_000_000 }),
]);

const SIZE_UNITS: ReadonlyMap<string, number> = new Map<string, number>([
  ...labels(['b', 'bytes'], 1),
  ...labels(['k', 'kb', 'kibibytes'], 1024),
  ...labels(['m', 'mb', 'mebibytes'], 1024 ** 2),
  ...labels(['g', 'gb', 'gibibytes'], 1024 ** 3),
  ...labels(['t', 'tb', 'tebibytes'], 1024 ** 4),
]);

const AMOUNT_AND_UNIT = /^(\d+)\s*([a-zµ]*)$/;

/** Parses a Flink duration into whole milliseconds. */
export function parseDurationMs(input: string | number): Checked<number> {
  const expected = 'a duration such as "500 ms", "10 s", "1 min", "1 h" or a whole number of milliseconds';
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0
      ? ok(input)
      : problem(`expected ${expected}, found ${input}`);
  }
  const match = AMOUNT_AND_UNIT.exec(input.trim().toLowerCase());
  const amount = match === null ? undefined : Number(match[1]);
  const unit = DURATION_UNITS.get(match?.[2] || 'ms');
  if (amount === undefined || unit === undefined)
    return problem(`expected ${expected}, found ${show(input)}`);
  if ('perMs' in unit) {
    return amount % unit.perMs === 0
      ? ok(amount / unit.perMs)
      : problem(`expected a whole number of milliseconds, found ${show(input)}`);
  }
  const ms = amount * unit.ms;
  return Number.isSafeInteger(ms)
    ? ok(ms)
    : problem(`expected a duration that fits in a number, found ${show(input)}`);
}

/** Parses a Flink memory size into bytes (1kb = 1024 bytes, as in Flink). */
export function parseMemorySizeBytes(input: string | number): Checked<number> {
  const expected = 'a memory size such as "1024", "4 kb", "1 mb" or a whole number of bytes';
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0
      ? ok(input)
      : problem(`expected ${expected}, found ${input}`);
  }
  const match = AMOUNT_AND_UNIT.exec(input.trim().toLowerCase());
  const amount = match === null ? undefined : Number(match[1]);
  const multiplier = SIZE_UNITS.get(match?.[2] || 'b');
  if (amount === undefined || multiplier === undefined)
    return problem(`expected ${expected}, found ${show(input)}`);
  const bytes = amount * multiplier;
  return Number.isSafeInteger(bytes)
    ? ok(bytes)
    : problem(`expected a size that fits in a number, found ${show(input)}`);
}

function labels<T>(names: readonly string[], value: T): Array<[string, T]> {
  return names.map((name) => [name, value]);
}
