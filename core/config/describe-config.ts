import { CHECKPOINTING_OPTIONS } from './checkpointing-options.js';
import type { OptionSpec } from './option-spec.js';
import { RESTART_PARAM_OPTIONS, RESTART_TYPE_OPTION } from './restart-strategy-options.js';
import type { CheckpointConfig } from './types.js';

/**
 * One row per option, for the README configuration reference and the status call.
 * Built from the same option records the compiler uses, so it cannot drift.
 */
export interface ConfigDescriptionRow {
  /** Typed option path below `checkpointing.`, e.g. `minPauseMs`, `restartStrategy.delayMs`. */
  readonly option: string;
  /** The Flink key as named on Flink's checkpointing page; null when Flink has none. */
  readonly flinkKey: string | null;
  /** Other Flink keys accepted for the same option (newer or older names). */
  readonly flinkAliases: readonly string[];
  /** The compiled value; '' without a config, '(not set)' when absent, '(not used)' for another restart strategy. */
  readonly value: string;
  readonly default: string;
  readonly meaning: string;
}

export function describeConfig(config?: CheckpointConfig): ConfigDescriptionRow[] {
  const fields = config as unknown as Readonly<Record<string, unknown>> | undefined;
  const strategy = config?.restartStrategy as unknown as Readonly<Record<string, unknown>> | undefined;
  return [
    ...CHECKPOINTING_OPTIONS.map((spec) =>
      row(spec, fields === undefined ? '' : display(fields[spec.option])),
    ),
    row(RESTART_TYPE_OPTION, strategy === undefined ? '' : display(strategy.type)),
    ...RESTART_PARAM_OPTIONS.map((spec) =>
      row(
        spec,
        strategy === undefined
          ? ''
          : strategy.type === spec.strategy
            ? display(strategy[spec.field])
            : '(not used)',
      ),
    ),
  ];
}

function row(spec: OptionSpec, value: string): ConfigDescriptionRow {
  const [flinkKey = null, ...flinkAliases] = spec.flinkKeys;
  return {
    option: spec.option,
    flinkKey,
    flinkAliases,
    value,
    default: spec.defaultText,
    meaning: spec.meaning,
  };
}

function display(value: unknown): string {
  if (value === undefined) return '(not set)';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}
