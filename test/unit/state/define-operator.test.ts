import { describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigError } from '../../../core/errors/index.js';
import {
  type AggregatingState,
  aggregatingState,
  defineOperator,
  type ListState,
  listState,
  type MapState,
  mapState,
  OperatorRuntime,
  type OperatorSpec,
  type ReducingState,
  reducingState,
  type ValueState,
  valueState,
} from '../../../core/state/index.js';
import { jsonRecord } from './records.js';

const processElement = () => undefined;

function configErrorOf(spec: unknown): ConfigError {
  try {
    defineOperator(spec as OperatorSpec<unknown, Record<never, never>, Record<never, never>>);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected defineOperator to throw');
}

describe('defineOperator validation', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['a misspelt field', { name: 'x', processElement, outOfOrderness: 5 }, 'outOfOrderness', /unknown field/],
    ['an empty name', { name: ' ', processElement }, 'name', /non-empty string/],
    ['a missing processElement', { name: 'x' }, 'processElement', /expected a function, found undefined/],
    ['an onTimer that is not a function', { name: 'x', processElement, onTimer: 3 }, 'onTimer', /function/],
    ['a decode that is not a function', { name: 'x', processElement, decode: 'json' }, 'decode', /function/],
    [
      'a negative outOfOrdernessMs',
      { name: 'x', processElement, outOfOrdernessMs: -1 },
      'outOfOrdernessMs',
      />= 0/,
    ],
    [
      'a NaN outOfOrdernessMs',
      { name: 'x', processElement, outOfOrdernessMs: Number.NaN },
      'outOfOrdernessMs',
      /finite/,
    ],
    [
      'a state that is not an object',
      { name: 'x', processElement, state: [] },
      'state',
      /state name -> descriptor/,
    ],
    [
      'a state name with a dash',
      { name: 'x', processElement, state: { 'my-count': valueState() } },
      'state.my-count',
      /not a valid name/,
    ],
    [
      'a state name starting with _',
      { name: 'x', processElement, state: { __proto_x: valueState() } },
      'state.__proto_x',
      /letter/,
    ],
    [
      'a hand-made descriptor',
      { name: 'x', processElement, state: { count: { kind: 'counter' } } },
      'state.count',
      /valueState\(\)/,
    ],
    [
      'a reducing state without reduce',
      { name: 'x', processElement, state: { sum: { kind: 'reducing' } } },
      'state.sum.reduce',
      /function/,
    ],
    [
      'an aggregating state without getResult',
      {
        name: 'x',
        processElement,
        state: { avg: { kind: 'aggregating', aggregate: { createAccumulator() {}, add() {} } } },
      },
      'state.avg.aggregate.getResult',
      /function/,
    ],
    [
      'operator state that cannot be copied',
      { name: 'x', processElement, operatorState: { fn: () => 1 } },
      'operatorState.fn',
      /plain data/,
    ],
    [
      'an invalid operator state name',
      { name: 'x', processElement, operatorState: { '1st': 0 } },
      'operatorState.1st',
      /not a valid name/,
    ],
  ])('rejects %s with a ConfigError naming the field', (_what, spec, path, message) => {
    const error = configErrorOf(spec);
    expect(error.path).toBe(path);
    expect(error.reason).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(message);
  });

  it('applies the defaults: outOfOrdernessMs 0 and UTF-8 JSON decode', () => {
    const definition = defineOperator({ name: 'x', processElement });
    const record = jsonRecord('k', { a: [1] });
    expect(definition.outOfOrdernessMs).toBe(0);
    expect(definition.decode(record.data, record)).toEqual({ a: [1] });
  });

  it('returns an already validated definition as is', () => {
    const definition = defineOperator({ name: 'x', processElement });
    expect(defineOperator(definition as never)).toBe(definition);
  });

  it('types ctx.state from the descriptors and the event from processElement (checked by tsc)', () => {
    // Prepare
    const definition = defineOperator({
      name: 'typed',
      state: {
        count: valueState({ default: 0 }),
        label: valueState<string>(),
        pages: mapState<string, number>(),
        items: listState<{ id: number }>(),
        sum: reducingState<number>((a, b) => a + b),
        average: aggregatingState({
          createAccumulator: () => ({ sum: 0, n: 0 }),
          add: (v: number, acc) => ({ sum: acc.sum + v, n: acc.n + 1 }),
          getResult: (acc) => acc.sum / acc.n,
        }),
      },
      operatorState: { processed: 0 },
      processElement(event: { id: number }, ctx) {
        expectTypeOf(ctx.state.count).toEqualTypeOf<ValueState<number, number>>();
        expectTypeOf(ctx.state.label).toEqualTypeOf<ValueState<string, string | undefined>>();
        expectTypeOf(ctx.state.pages).toEqualTypeOf<MapState<string, number>>();
        expectTypeOf(ctx.state.items).toEqualTypeOf<ListState<{ id: number }>>();
        expectTypeOf(ctx.state.sum).toEqualTypeOf<ReducingState<number>>();
        expectTypeOf(ctx.state.average).toEqualTypeOf<AggregatingState<number, number>>();
        expectTypeOf(ctx.operatorState.get('processed')).toEqualTypeOf<number>();
        // @ts-expect-error: not a declared state
        void ctx.state.missing;
        // @ts-expect-error: operator state keeps its declared type
        ctx.operatorState.set('processed', 'many');
        ctx.state.count.update(ctx.state.count.value() + event.id);
      },
    });
    const runtime = new OperatorRuntime(definition);
    // Act
    runtime.processRecord(jsonRecord('k', { id: 5 }));
    // Assess
    expect(runtime.keyedEntries('count')).toEqual([['k', 5]]);
  });
});
