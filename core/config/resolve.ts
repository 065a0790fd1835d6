import { sameValue, show } from './check.js';
import type { ConfigIssue } from './invalid-config-error.js';
import { type OptionSpec, type Sourced, showSourced } from './option-spec.js';

/**
 * Resolution of one option from its two possible sources: the typed option and a
 * Flink key. Both may be given only if they agree; the typed value wins otherwise
 * (after the disagreement is reported), then the default.
 */
export interface Problems {
  readonly issues: ConfigIssue[];
  readonly warnings: string[];
}

/** Checks a typed value; undefined when absent or invalid (the problem is recorded). */
export function readTyped(
  spec: OptionSpec,
  raw: unknown,
  path: string,
  problems: Problems,
): Sourced | undefined {
  if (raw === undefined) return undefined;
  const checked = spec.check(raw);
  if (!checked.ok) {
    problems.issues.push({ path, message: checked.message });
    return undefined;
  }
  if (checked.warning !== undefined) problems.warnings.push(`${path}: ${checked.warning}`);
  return { value: checked.value, path };
}

export function merge(
  spec: OptionSpec,
  typed: Sourced | undefined,
  flink: Sourced | undefined,
  problems: Problems,
  defaultValue: unknown = spec.defaultValue,
): Sourced {
  if (typed !== undefined && flink !== undefined && !sameValue(typed.value, flink.value)) {
    problems.issues.push({
      path: typed.path,
      message: `${show(typed.value)} disagrees with ${showSourced(flink)}; both set ${spec.option}, keep one of them`,
    });
  }
  return typed ?? flink ?? { value: defaultValue, path: 'default' };
}

/** The path to name in a cross-field message: where the value came from, else the typed option. */
export function pathOf(sourced: Sourced, option: string): string {
  return sourced.path === 'default' ? `checkpointing.${option}` : sourced.path;
}
