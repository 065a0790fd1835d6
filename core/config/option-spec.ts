import type { Checker } from './check.js';
import { show } from './check.js';
import type { FlinkReader } from './flink-values.js';

/**
 * One configurable setting: its typed option path, the Flink keys that also set it
 * (primary first, as named on Flink's checkpointing page, then newer or older
 * aliases), how to read and check it, its default and what it means. The compiler,
 * the Flink key index and describeConfig are all driven by these records, so an
 * option cannot exist in one and be missing from another.
 */
export interface OptionSpec {
  /** Unique id: the option name, or `<strategy>.<field>` for restart strategy parameters. */
  readonly id: string;
  /** Path below `checkpointing.` where the typed value lives, e.g. `minPauseMs`. */
  readonly option: string;
  readonly flinkKeys: readonly string[];
  readonly fromFlink: FlinkReader;
  readonly check: Checker<unknown>;
  /** undefined: no default (required, or absent means off). */
  readonly defaultValue: unknown;
  /** The default as shown in the reference table. */
  readonly defaultText: string;
  readonly meaning: string;
}

/** Where a resolved value came from: a typed option, a Flink key, or the default. */
export interface Sourced {
  readonly value: unknown;
  /** `checkpointing.minPauseMs`, `flinkConf["execution.checkpointing.min-pause"]` or `default`. */
  readonly path: string;
  /** The value as written, when it was text that was parsed (a Flink key's "10 s"). */
  readonly raw?: unknown;
}

/** `path = value` for messages, with the written form when it differs: `flinkConf["k"] = "10 s" (10000)`. */
export function showSourced(sourced: Sourced): string {
  const written =
    sourced.raw !== undefined && sourced.raw !== sourced.value
      ? `${show(sourced.raw)} (${show(sourced.value)})`
      : show(sourced.value);
  return `${sourced.path} = ${written}`;
}

export function typedPath(option: string): string {
  return `checkpointing.${option}`;
}

export function flinkPath(key: string): string {
  return `flinkConf[${JSON.stringify(key)}]`;
}
