/**
 * Small value checkers shared by every option. A checker never throws: it returns
 * the normalized value or a message saying what was expected and what was found,
 * so compileConfig can collect every problem before failing once.
 */
export type Checked<T> =
  | { readonly ok: true; readonly value: T; readonly warning?: string }
  | { readonly ok: false; readonly message: string };

export type Checker<T> = (value: unknown) => Checked<T>;

export function ok<T>(value: T, warning?: string): Checked<T> {
  return warning === undefined ? { ok: true, value } : { ok: true, value, warning };
}

export function problem(message: string): Checked<never> {
  return { ok: false, message };
}

/** Renders a value for a message: strings quoted, so an empty or padded string is visible. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Java's Integer.MAX_VALUE, which Flink uses for "unlimited" counts. */
export const FLINK_UNLIMITED = 2_147_483_647;

export function integerIn(min: number, max: number = Number.MAX_SAFE_INTEGER, unit = ''): Checker<number> {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  const suffix = unit === '' ? '' : ` (${unit})`;
  return (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? ok(value)
      : problem(`expected an integer ${range}${suffix}, found ${show(value)}`);
}

export function numberIn(min: number, max: number = Number.MAX_VALUE): Checker<number> {
  const range = max === Number.MAX_VALUE ? `>= ${min}` : `from ${min} to ${max}`;
  return (value) =>
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max
      ? ok(value)
      : problem(`expected a number ${range}, found ${show(value)}`);
}

export const booleanValue: Checker<boolean> = (value) =>
  typeof value === 'boolean' ? ok(value) : problem(`expected true or false, found ${show(value)}`);

export function oneOf<T extends string>(allowed: readonly T[]): Checker<T> {
  return (value) =>
    typeof value === 'string' && (allowed as readonly string[]).includes(value)
      ? ok(value as T)
      : problem(`expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, found ${show(value)}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  return Object.is(a, b);
}
