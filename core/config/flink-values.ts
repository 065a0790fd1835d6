import { type Checked, ok, problem, show } from './check.js';
import { parseDurationMs, parseMemorySizeBytes } from './units.js';

/**
 * Readers for raw flink-conf.yaml values. YAML loaders give strings, numbers or
 * booleans, so each reader accepts the textual form Flink accepts and the native one.
 * Range checks are not done here: the option's own checker does them afterwards.
 */
export type FlinkValue = string | number | boolean;

export type FlinkReader = (raw: FlinkValue) => Checked<unknown>;

export const flinkDuration: FlinkReader = (raw) =>
  typeof raw === 'boolean'
    ? problem(`expected a duration such as "10 s", found ${raw}`)
    : parseDurationMs(raw);

export const flinkMemorySize: FlinkReader = (raw) =>
  typeof raw === 'boolean'
    ? problem(`expected a memory size such as "4 kb", found ${raw}`)
    : parseMemorySizeBytes(raw);

export const flinkInteger: FlinkReader = (raw) => {
  if (typeof raw === 'number') return ok(raw);
  if (typeof raw === 'string' && /^[+-]?\d+$/.test(raw.trim())) return ok(Number(raw.trim()));
  return problem(`expected an integer, found ${show(raw)}`);
};

export const flinkNumber: FlinkReader = (raw) => {
  if (typeof raw === 'number') return ok(raw);
  if (typeof raw === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw.trim())) {
    return ok(Number(raw.trim()));
  }
  return problem(`expected a number, found ${show(raw)}`);
};

export const flinkBoolean: FlinkReader = (raw) => {
  if (typeof raw === 'boolean') return ok(raw);
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (text === 'true' || text === 'false') return ok(text === 'true');
  return problem(`expected true or false, found ${show(raw)}`);
};

export const flinkString: FlinkReader = (raw) =>
  typeof raw === 'string' ? ok(raw.trim()) : problem(`expected a string, found ${show(raw)}`);

/** Flink matches enum names case-insensitively; `names` maps lower-case names to our values. */
export function flinkEnum(
  names: Readonly<Record<string, string>>,
  warnings: Readonly<Record<string, string>> = {},
) {
  return (raw: FlinkValue): Checked<unknown> => {
    const key = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    const value = names[key];
    if (value === undefined) {
      return problem(`expected one of ${Object.keys(names).join(', ')} (any case), found ${show(raw)}`);
    }
    return ok(value, warnings[key]);
  };
}

/** Flink splits directory lists on ',' and the path separator (':' on Linux). */
export const flinkPathList: FlinkReader = (raw) =>
  typeof raw === 'string'
    ? ok(
        raw
          .split(/[,:]/)
          .map((path) => path.trim())
          .filter((path) => path !== ''),
      )
    : problem(`expected a comma-separated list of directories, found ${show(raw)}`);
