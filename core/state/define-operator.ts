import { ConfigError } from '../errors/index.js';
import type { StreamRecord } from '../ports/stream.js';
import type { OnTimerContext, ProcessContext, RecordMetadata } from './context.js';
import type { StateDescriptor, StateDescriptors } from './descriptors.js';
import type { OperatorStateValues } from './operator-state.js';

type NoStates = Record<never, never>;

/**
 * A user's stateful operator. Operators must be deterministic given their input
 * (no wall clock, randomness or I/O in the state they compute): exactly-once recovery
 * replays records into a restored snapshot and expects the same result.
 * processElement and onTimer must be synchronous.
 */
export interface OperatorSpec<E, S extends StateDescriptors, O extends OperatorStateValues> {
  /** Names the operator in snapshots, logs and errors. */
  name: string;
  /** Keyed state, scoped to the current key: name -> descriptor (valueState(), mapState()...). */
  state?: S;
  /** Non-keyed state of the shard: name -> initial value (plain data, copied per runtime). */
  operatorState?: O;
  /** Record bytes -> event. Default: UTF-8 JSON. A throw becomes a BadRecordError. */
  decode?: (data: Uint8Array, record: StreamRecord) => E;
  /** The event's timestamp in epoch ms, for the watermark and ctx.timestampMs. Default: the record's arrival time. */
  timestampOf?: (event: E, record: RecordMetadata) => number;
  /** The watermark trails the largest timestamp seen by this much. Default 0. */
  outOfOrdernessMs?: number;
  processElement(event: E, ctx: ProcessContext<S, O>): void;
  /** Called for each due timer, with the timer's key as the current key. */
  onTimer?(timestampMs: number, ctx: OnTimerContext<S, O>): void;
}

/** A validated operator, with defaults applied: what OperatorRuntime runs. */
export interface OperatorDefinition<
  E,
  S extends StateDescriptors = NoStates,
  O extends OperatorStateValues = NoStates,
> {
  readonly name: string;
  readonly state: Readonly<S>;
  readonly operatorState: Readonly<O>;
  readonly outOfOrdernessMs: number;
  decode(data: Uint8Array, record: StreamRecord): E;
  timestampOf?(event: E, record: RecordMetadata): number;
  processElement(event: E, ctx: ProcessContext<S, O>): void;
  onTimer?(timestampMs: number, ctx: OnTimerContext<S, O>): void;
}

/** Any operator definition, for code that runs operators without knowing their types. */
// biome-ignore lint/suspicious/noExplicitAny: a definition of any event, state and operator-state types
export type AnyOperatorDefinition = OperatorDefinition<any, any, any>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The default decode: the record's bytes as UTF-8 JSON. */
export function decodeJson(data: Uint8Array): unknown {
  return JSON.parse(utf8.decode(data));
}

/** State and operator-state names: identifiers, so `ctx.state.name` works and nothing collides with Object's own. */
const STATE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
const KINDS = ['value', 'map', 'list', 'reducing', 'aggregating'];
const SPEC_FIELDS = [
  'name',
  'state',
  'operatorState',
  'decode',
  'timestampOf',
  'outOfOrdernessMs',
  'processElement',
  'onTimer',
];
const validated = new WeakSet<object>();

/**
 * Validates an operator once and returns its definition. Throws ConfigError naming the
 * field path (`state.count`, `outOfOrdernessMs`...) and what is allowed. Types flow from
 * the descriptors: with `state: { count: valueState({ default: 0 }) }`, `ctx.state.count`
 * is a ValueState<number, number>. The event type comes from `decode`'s return type or
 * from the annotation of processElement's first parameter.
 */
export function defineOperator<
  E,
  S extends StateDescriptors = NoStates,
  O extends OperatorStateValues = NoStates,
>(spec: OperatorSpec<E, S, O>): OperatorDefinition<E, S, O> {
  if (validated.has(spec)) return spec as unknown as OperatorDefinition<E, S, O>;
  if (spec === null || typeof spec !== 'object') {
    throw new ConfigError('operator', 'expected an operator object.');
  }
  const name: unknown = spec.name;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ConfigError(
      'name',
      `expected a non-empty string naming the operator, found ${JSON.stringify(name)}.`,
    );
  }
  for (const field of Object.keys(spec)) {
    if (!SPEC_FIELDS.includes(field)) {
      throw new ConfigError(field, `unknown field; expected one of ${SPEC_FIELDS.join(', ')}.`);
    }
  }
  validateStateDescriptors(spec.state);
  validateOperatorState(spec.operatorState);
  requireFunction(spec, 'processElement', true);
  requireFunction(spec, 'onTimer', false);
  requireFunction(spec, 'decode', false);
  requireFunction(spec, 'timestampOf', false);
  const outOfOrdernessMs: unknown = spec.outOfOrdernessMs ?? 0;
  if (typeof outOfOrdernessMs !== 'number' || !Number.isFinite(outOfOrdernessMs) || outOfOrdernessMs < 0) {
    throw new ConfigError(
      'outOfOrdernessMs',
      `expected a finite number >= 0 (milliseconds), found ${String(outOfOrdernessMs)}.`,
    );
  }
  const definition: OperatorDefinition<E, S, O> = Object.freeze({
    name,
    state: Object.freeze({ ...(spec.state ?? ({} as S)) }),
    operatorState: Object.freeze({ ...(spec.operatorState ?? ({} as O)) }),
    outOfOrdernessMs,
    decode: spec.decode ?? (decodeJson as (data: Uint8Array) => E),
    timestampOf: spec.timestampOf,
    processElement: spec.processElement,
    onTimer: spec.onTimer,
  });
  validated.add(definition);
  return definition;
}

function validateStateDescriptors(state: unknown): void {
  if (state === undefined) return;
  if (!isPlainObject(state)) {
    throw new ConfigError(
      'state',
      'expected an object of state name -> descriptor (valueState(), mapState()...).',
    );
  }
  for (const [name, descriptor] of Object.entries(state)) {
    const path = `state.${name}`;
    checkName(path, name);
    if (!isStateDescriptor(descriptor)) {
      throw new ConfigError(
        path,
        'expected a state descriptor made by valueState(), mapState(), listState(), reducingState() or aggregatingState().',
      );
    }
    if (descriptor.kind === 'reducing') requireFunction(descriptor, 'reduce', true, path);
    if (descriptor.kind === 'aggregating') {
      const aggregate: unknown = descriptor.aggregate;
      if (aggregate === null || typeof aggregate !== 'object') {
        throw new ConfigError(
          `${path}.aggregate`,
          'expected { createAccumulator, add, getResult } functions.',
        );
      }
      for (const fn of ['createAccumulator', 'add', 'getResult'])
        requireFunction(aggregate, fn, true, `${path}.aggregate`);
    }
  }
}

function validateOperatorState(operatorState: unknown): void {
  if (operatorState === undefined) return;
  if (!isPlainObject(operatorState)) {
    throw new ConfigError('operatorState', 'expected an object of name -> initial value.');
  }
  for (const [name, initial] of Object.entries(operatorState)) {
    checkName(`operatorState.${name}`, name);
    try {
      structuredClone(initial);
    } catch (error) {
      throw new ConfigError(
        `operatorState.${name}`,
        `expected plain data (numbers, strings, arrays, objects, Map, Date, Uint8Array...), found a value that cannot be copied: ${(error as Error).message}`,
      );
    }
  }
}

function isStateDescriptor(value: unknown): value is StateDescriptor {
  return (
    value !== null &&
    typeof value === 'object' &&
    KINDS.includes((value as { kind?: unknown }).kind as string)
  );
}

function checkName(path: string, name: string): void {
  if (!STATE_NAME.test(name)) {
    throw new ConfigError(
      path,
      `'${name}' is not a valid name: expected a letter then letters, digits or '_' (at most 128).`,
    );
  }
}

function requireFunction(owner: object, field: string, required: boolean, prefix = ''): void {
  const value: unknown = (owner as Record<string, unknown>)[field];
  if (value === undefined && !required) return;
  if (typeof value !== 'function') {
    throw new ConfigError(
      prefix === '' ? field : `${prefix}.${field}`,
      `expected a function, found ${value === null ? 'null' : typeof value}.`,
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isValidatedDefinition(definition: object): boolean {
  return validated.has(definition);
}
