import { isPlainObject, show } from './check.js';
import { closest } from './edit-distance.js';
import type { Sourced } from './option-spec.js';
import { merge, type Problems, pathOf, readTyped } from './resolve.js';
import { RESTART_PARAM_OPTIONS, RESTART_TYPE_OPTION } from './restart-strategy-options.js';
import type { RestartStrategy, RestartStrategyType } from './types.js';

/**
 * Resolves the restart strategy from the typed `restartStrategy` object and the
 * `restart-strategy.*` Flink keys. Parameters of a strategy other than the chosen
 * one are ignored by Flink; here they are ignored too, with a warning, since they
 * usually mean the type was forgotten.
 */
export function resolveRestartStrategy(
  typed: unknown,
  flink: ReadonlyMap<string, Sourced>,
  checkpointingEnabled: boolean,
  problems: Problems,
): RestartStrategy | undefined {
  const typedObject = readTypedObject(typed, problems);
  const typeSource = merge(
    RESTART_TYPE_OPTION,
    readTyped(RESTART_TYPE_OPTION, typedObject?.type, 'checkpointing.restartStrategy.type', problems),
    flink.get(RESTART_TYPE_OPTION.id),
    problems,
    checkpointingEnabled ? 'exponential-delay' : 'none',
  );
  const type = typeSource.value as RestartStrategyType;
  if (typedObject !== undefined) rejectForeignFields(typedObject, type, problems);

  for (const spec of RESTART_PARAM_OPTIONS) {
    const given = flink.get(spec.id);
    if (spec.strategy !== type && given !== undefined) {
      problems.warnings.push(
        `${given.path} is ignored: it configures the ${spec.strategy} restart strategy, but the restart strategy is ${type} (${pathOf(typeSource, 'restartStrategy.type')})`,
      );
    }
  }

  const strategy: Record<string, unknown> = { type };
  const sources: Record<string, Sourced> = {};
  for (const spec of RESTART_PARAM_OPTIONS.filter((s) => s.strategy === type)) {
    const typedSource =
      typedObject?.type === type
        ? readTyped(spec, typedObject[spec.field], `checkpointing.restartStrategy.${spec.field}`, problems)
        : undefined;
    const resolved = merge(spec, typedSource, flink.get(spec.id), problems);
    strategy[spec.field] = resolved.value;
    sources[spec.field] = resolved;
  }

  const initial = sources.initialBackoffMs;
  const max = sources.maxBackoffMs;
  if (initial !== undefined && max !== undefined && Number(initial.value) > Number(max.value)) {
    problems.issues.push({
      path: pathOf(initial, 'restartStrategy.initialBackoffMs'),
      message: `initial backoff ${show(initial.value)} ms is larger than ${pathOf(max, 'restartStrategy.maxBackoffMs')} = ${show(max.value)} ms; expected initialBackoffMs <= maxBackoffMs`,
    });
  }
  return strategy as unknown as RestartStrategy;
}

function readTypedObject(typed: unknown, problems: Problems): Record<string, unknown> | undefined {
  if (typed === undefined) return undefined;
  if (!isPlainObject(typed) || typed.type === undefined) {
    problems.issues.push({
      path: 'checkpointing.restartStrategy',
      message: `expected an object with a type, such as { type: 'fixed-delay', attempts: 3, delayMs: 10000 }, found ${show(typed)}`,
    });
    return undefined;
  }
  return typed;
}

function rejectForeignFields(
  typed: Record<string, unknown>,
  type: RestartStrategyType,
  problems: Problems,
): void {
  if (typed.type !== type) return; // the type itself disagrees; that is already reported
  const allowed = RESTART_PARAM_OPTIONS.filter((s) => s.strategy === type).map((s) => s.field);
  for (const field of Object.keys(typed)) {
    if (field === 'type' || allowed.includes(field)) continue;
    const nearest = closest(field, allowed);
    problems.issues.push({
      path: `checkpointing.restartStrategy.${field}`,
      message: `not a parameter of the ${type} restart strategy; expected ${allowed.length === 0 ? 'no parameters' : allowed.join(', ')}${nearest === undefined ? '' : ` (closest: ${nearest.candidate})`}`,
    });
  }
}
