import { ConfigError } from '../core/errors/index.js';
import coordinatorAsl from './coordinator.asl.json' with { type: 'json' };

/**
 * Loads infra/coordinator.asl.json, the one definition of the coordinator state
 * machine used both by the deployment and by the local executor. The file holds
 * placeholders, whole string values written `${Name}` (a form asl-validator accepts
 * as "substituted before deployment"); the caller says what each one becomes.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const COORDINATOR_PLACEHOLDERS = ['CoordinatorWindowFunctionArn'] as const;
export type CoordinatorPlaceholder = (typeof COORDINATOR_PLACEHOLDERS)[number];

/**
 * What each placeholder becomes: a string (an ARN), or any JSON value, such as
 * `{ "Fn::GetAtt": ["CoordinatorWindowLambdaFunction", "Arn"] }` for the deployment.
 */
export type CoordinatorSubstitutions = Readonly<Record<CoordinatorPlaceholder, JsonValue>>;

export const COORDINATOR_STATE_NAMES = [
  'RunWindow',
  'Route',
  'Sleep',
  'ContinueAsNew',
  'JobFailed',
  'Stopped',
  'CheckTaskErrors',
  'InitTaskErrorCount',
  'CountTaskError',
  'ErrorBackoff',
  'CoordinatorFailed',
] as const;
export type CoordinatorStateName = (typeof COORDINATOR_STATE_NAMES)[number];

export interface CoordinatorDefinition extends JsonObject {
  StartAt: string;
  States: { [stateName: string]: JsonObject };
}

const PLACEHOLDER_PATTERN = /^\$\{([A-Za-z][A-Za-z0-9_]*)\}$/;

/**
 * A fresh copy of the definition as stored, placeholders left in. Fresh on every
 * call because asl-validator (also inside aws-local-stepfunctions) writes a
 * QueryLanguage field into every state of the object it validates.
 */
export function loadCoordinatorDefinitionTemplate(): CoordinatorDefinition {
  // The JSON module's inferred type has optional fields per Choice rule; the file is plain JSON.
  return structuredClone(coordinatorAsl) as unknown as CoordinatorDefinition;
}

/** The definition with every placeholder replaced; a fresh object on every call. */
export function loadCoordinatorDefinition(substitutions: CoordinatorSubstitutions): CoordinatorDefinition {
  const known: readonly string[] = COORDINATOR_PLACEHOLDERS;
  for (const name of Object.keys(substitutions)) {
    if (!known.includes(name)) {
      throw new ConfigError(
        `substitutions.${name}`,
        `expected one of the placeholders ${known.join(', ')} of infra/coordinator.asl.json, found '${name}'. ` +
          'Check the spelling against the file.',
      );
    }
  }
  const values: Readonly<Record<string, JsonValue>> = substitutions;
  return substitute(loadCoordinatorDefinitionTemplate(), values) as CoordinatorDefinition;
}

function substitute(value: JsonValue, values: Readonly<Record<string, JsonValue>>): JsonValue {
  if (typeof value === 'string') {
    const name = PLACEHOLDER_PATTERN.exec(value)?.[1];
    if (name === undefined) return value;
    const replacement = values[name];
    if (replacement === undefined) {
      throw new ConfigError(
        `substitutions.${name}`,
        `expected a value for the placeholder '${value}' in infra/coordinator.asl.json, found none. ` +
          `Pass ${name} to loadCoordinatorDefinition (see infra/README.md).`,
      );
    }
    return structuredClone(replacement);
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, values)]));
  }
  return value;
}
