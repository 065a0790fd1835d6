import { describeValue, OperatorUsageError, StateRestoreError } from './errors.js';
import type { StateSnapshotContent } from './snapshot-content.js';

/** The `operatorState` section of an operator: name -> initial value. */
export type OperatorStateValues = Record<string, unknown>;

/**
 * Non-keyed state of the operator on this shard (Flink's operator state), readable and
 * writable from processElement, onTimer, with or without a current key. Like keyed
 * state, values are stored by reference: set a new value rather than mutating one.
 */
export interface OperatorState<O extends OperatorStateValues> {
  get<N extends keyof O & string>(name: N): O[N];
  set<N extends keyof O & string>(name: N, value: O[N]): void;
  /** set(name, fn(get(name))). */
  update<N extends keyof O & string>(name: N, fn: (current: O[N]) => O[N]): void;
}

export class HeapOperatorState<O extends OperatorStateValues> implements OperatorState<O> {
  private values: Map<string, unknown>;

  constructor(
    private readonly operatorName: string,
    private readonly initial: O,
  ) {
    this.values = new Map(Object.keys(initial).map((name) => [name, structuredClone(initial[name])]));
  }

  get<N extends keyof O & string>(name: N): O[N] {
    const value = this.values.get(name);
    if (value === undefined && !this.values.has(name)) this.undeclared(name);
    return value as O[N];
  }

  set<N extends keyof O & string>(name: N, value: O[N]): void {
    if (!this.values.has(name)) this.undeclared(name);
    this.values.set(name, value);
  }

  update<N extends keyof O & string>(name: N, fn: (current: O[N]) => O[N]): void {
    // get + set in two map operations: operators update counters on every record.
    const values = this.values;
    const current = values.get(name);
    if (current === undefined && !values.has(name)) this.undeclared(name);
    values.set(name, fn(current as O[N]));
  }

  capture(): StateSnapshotContent['operator'] {
    const operator: StateSnapshotContent['operator'] = {};
    for (const [name, value] of this.values) operator[name] = value;
    return operator;
  }

  /** Validates and returns the swap to apply; a declared name missing from the snapshot starts from its initial value. */
  prepareRestore(operator: unknown, allowNonRestoredState: boolean): () => void {
    if (operator === null || typeof operator !== 'object' || Array.isArray(operator)) {
      throw new StateRestoreError(
        'operator',
        `expected an object of name -> value, found ${describeValue(operator)}.`,
      );
    }
    const source = operator as Record<string, unknown>;
    if (!allowNonRestoredState) {
      for (const name of Object.keys(source)) {
        if (!Object.hasOwn(this.initial, name)) {
          throw new StateRestoreError(
            `operator.${name}`,
            `the snapshot holds operator state '${name}' but the operator declares no such value ` +
              `(declared: ${Object.keys(this.initial).join(', ') || 'none'}). Declare it, or set allowNonRestoredState to drop it.`,
          );
        }
      }
    }
    const values = new Map<string, unknown>();
    for (const name of Object.keys(this.initial)) {
      values.set(name, Object.hasOwn(source, name) ? source[name] : structuredClone(this.initial[name]));
    }
    return () => {
      this.values = values;
    };
  }

  private undeclared(name: string): never {
    throw new OperatorUsageError(
      this.operatorName,
      `operatorState '${name}' is not declared (declared: ${[...this.values.keys()].join(', ') || 'none'}). ` +
        'Add it with its initial value to the operatorState section of defineOperator.',
    );
  }
}
