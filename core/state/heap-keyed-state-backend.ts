import type { StateDescriptor, StateDescriptors } from './descriptors.js';
import { describeValue, StateRestoreError } from './errors.js';
import {
  HeapAggregatingState,
  type HeapKeyedState,
  HeapListState,
  HeapMapState,
  HeapReducingState,
  HeapValueState,
} from './heap-keyed-state.js';
import type { KeyContext } from './key-context.js';
import type { StateSnapshotContent, StateSnapshotView } from './snapshot-content.js';

// biome-ignore lint/suspicious/noExplicitAny: states of every value type live side by side
type AnyHeapKeyedState = HeapKeyedState<any>;

function createState(name: string, descriptor: StateDescriptor, keys: KeyContext): AnyHeapKeyedState {
  switch (descriptor.kind) {
    case 'value':
      return new HeapValueState(name, keys, descriptor.defaultValue);
    case 'map':
      return new HeapMapState(name, keys);
    case 'list':
      return new HeapListState(name, keys);
    case 'reducing':
      return new HeapReducingState(name, keys, descriptor.reduce);
    case 'aggregating':
      return new HeapAggregatingState(name, keys, descriptor.aggregate);
  }
}

/**
 * The keyed half of the heap ("memory") state backend: every keyed state of one
 * runtime, as key -> value Maps on the heap. Capture copies the tables (O(entries));
 * view hands out the live tables, for an encoder that reads them at once (O(states));
 * restore builds new tables and swaps them in only when all of them were valid.
 */
export class HeapKeyedStateBackend {
  /** `ctx.state`: state name -> state object. */
  readonly states: Readonly<Record<string, AnyHeapKeyedState>>;
  private readonly list: AnyHeapKeyedState[];

  constructor(descriptors: StateDescriptors, keys: KeyContext) {
    const states: Record<string, AnyHeapKeyedState> = {};
    for (const [name, descriptor] of Object.entries(descriptors))
      states[name] = createState(name, descriptor, keys);
    this.states = Object.freeze(states);
    this.list = Object.values(states);
  }

  capture(): StateSnapshotContent['keyed'] {
    const keyed: StateSnapshotContent['keyed'] = {};
    for (const state of this.list) keyed[state.name] = state.capture();
    return keyed;
  }

  view(): StateSnapshotView['keyed'] {
    const keyed: StateSnapshotView['keyed'] = {};
    for (const state of this.list) keyed[state.name] = state.view();
    return keyed;
  }

  /** Validates `keyed` entirely and returns the swap to apply; changes nothing itself. */
  prepareRestore(keyed: unknown, allowNonRestoredState: boolean): () => void {
    if (keyed === null || typeof keyed !== 'object' || Array.isArray(keyed)) {
      throw new StateRestoreError(
        'keyed',
        `expected an object of state name -> entries, found ${describeValue(keyed)}.`,
      );
    }
    if (!allowNonRestoredState) {
      for (const name of Object.keys(keyed)) {
        if (!Object.hasOwn(this.states, name)) {
          throw new StateRestoreError(
            `keyed.${name}`,
            `the snapshot holds keyed state '${name}' but the operator declares no such state ` +
              `(declared: ${Object.keys(this.states).join(', ') || 'none'}). Declare it, or set allowNonRestoredState to drop it.`,
          );
        }
      }
    }
    const source = keyed as Record<string, unknown>;
    const tables = this.list.map((state) =>
      Object.hasOwn(source, state.name)
        ? state.tableFrom(source[state.name], `keyed.${state.name}`)
        : new Map<string, unknown>(),
    );
    return () => {
      this.list.forEach((state, i) => {
        state.table = tables[i]!;
      });
    };
  }

  entries(name: string): Array<[string, unknown]> | undefined {
    return Object.hasOwn(this.states, name) ? this.states[name]!.capture() : undefined;
  }

  /** Keys holding any keyed state; O(keys) when there are several states. */
  distinctKeyCount(): number {
    if (this.list.length === 1) return this.list[0]!.table.size;
    const keys = new Set<string>();
    for (const state of this.list) for (const key of state.table.keys()) keys.add(key);
    return keys.size;
  }
}
