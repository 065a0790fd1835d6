import { describe, expect, it } from 'vitest';
import {
  aggregatingState,
  defineOperator,
  listState,
  mapState,
  NoKeyedContextError,
  OperatorRuntime,
  type ProcessContext,
  reducingState,
  valueState,
} from '../../../core/state/index.js';
import { jsonRecord, SHARD_ID } from './records.js';

const state = {
  count: valueState({ default: 0 }),
  label: valueState<string>(),
  pages: mapState<string | number, number>(),
  items: listState<string>(),
  joined: reducingState<string>((a, b) => `${a},${b}`),
  average: aggregatingState({
    createAccumulator: () => ({ sum: 0, n: 0 }),
    add: (value: number, acc: { sum: number; n: number }) => {
      // Mutating the accumulator in place, as Flink AggregateFunctions often do.
      acc.sum += value;
      acc.n += 1;
      return acc;
    },
    getResult: (acc) => acc.sum / acc.n,
  }),
};
type Ctx = ProcessContext<typeof state, Record<never, never>>;

/** A runtime whose processElement runs the given body under the given key. */
function harness() {
  let body: (ctx: Ctx) => unknown = () => undefined;
  const definition = defineOperator({
    name: 'keyed-test',
    state,
    processElement(_event: unknown, ctx) {
      body(ctx);
    },
  });
  const runtime = new OperatorRuntime(definition, { shardId: SHARD_ID });
  return {
    runtime,
    as<T>(key: string, fn: (ctx: Ctx) => T): T {
      let out: T | undefined;
      body = (ctx) => {
        out = fn(ctx);
      };
      runtime.processRecord(jsonRecord(key, {}));
      return out as T;
    },
  };
}

describe('ValueState', () => {
  it('returns the default, or undefined without one, until updated', () => {
    const { as } = harness();
    expect(as('a', (ctx) => [ctx.state.count.value(), ctx.state.label.value()])).toEqual([0, undefined]);
  });

  it('returns the last update, and the default again after clear or update(undefined)', () => {
    // Prepare
    const { as } = harness();
    // Act
    const seen = as('a', (ctx) => {
      ctx.state.count.update(5);
      ctx.state.label.update('x');
      const afterUpdate = [ctx.state.count.value(), ctx.state.label.value()];
      ctx.state.count.clear();
      ctx.state.label.update(undefined);
      return [...afterUpdate, ctx.state.count.value(), ctx.state.label.value()];
    });
    // Assess
    expect(seen).toEqual([5, 'x', 0, undefined]);
  });

  it('keeps one value per key', () => {
    const { as, runtime } = harness();
    as('a', (ctx) => ctx.state.count.update(1));
    as('b', (ctx) => ctx.state.count.update(2));
    expect(as('a', (ctx) => ctx.state.count.value())).toBe(1);
    expect(runtime.keyedEntries('count')).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });
});

describe('MapState', () => {
  it('puts, gets, checks and removes entries of the current key only', () => {
    // Prepare
    const { as } = harness();
    as('a', (ctx) => {
      ctx.state.pages.put('/home', 1);
      ctx.state.pages.putAll([
        ['/cart', 2],
        [7, 3],
      ]);
      ctx.state.pages.remove('/home');
    });
    // Act
    const a = as('a', (ctx) => ({
      home: ctx.state.pages.get('/home'),
      cart: ctx.state.pages.get('/cart'),
      hasNumberKey: ctx.state.pages.contains(7),
      hasStringSeven: ctx.state.pages.contains('7'),
      entries: [...ctx.state.pages.entries()],
      keys: [...ctx.state.pages.keys()],
      values: [...ctx.state.pages.values()],
      empty: ctx.state.pages.isEmpty(),
    }));
    const b = as('b', (ctx) => ({
      empty: ctx.state.pages.isEmpty(),
      entries: [...ctx.state.pages.entries()],
    }));
    // Assess
    expect(a).toEqual({
      home: undefined,
      cart: 2,
      hasNumberKey: true,
      hasStringSeven: false,
      entries: [
        ['/cart', 2],
        [7, 3],
      ],
      keys: ['/cart', 7],
      values: [2, 3],
      empty: false,
    });
    expect(b).toEqual({ empty: true, entries: [] });
  });

  it('drops the key from the state once its map is empty, by remove or clear', () => {
    const { as, runtime } = harness();
    as('a', (ctx) => ctx.state.pages.put('x', 1));
    as('b', (ctx) => ctx.state.pages.put('y', 1));
    as('a', (ctx) => ctx.state.pages.remove('x'));
    as('b', (ctx) => ctx.state.pages.clear());
    expect(runtime.keyedEntries('pages')).toEqual([]);
    expect(as('a', (ctx) => ctx.state.pages.isEmpty())).toBe(true);
  });
});

describe('ListState', () => {
  it('adds in order and returns an empty list for a key without one', () => {
    const { as } = harness();
    as('a', (ctx) => {
      ctx.state.items.add('x');
      ctx.state.items.addAll(['y', 'z']);
    });
    expect(as('a', (ctx) => [...ctx.state.items.get()])).toEqual(['x', 'y', 'z']);
    expect(as('b', (ctx) => ctx.state.items.get())).toEqual([]);
  });

  it('update replaces the list with a copy, and an empty update clears it', () => {
    // Prepare
    const { as, runtime } = harness();
    const source = ['p', 'q'];
    as('a', (ctx) => ctx.state.items.update(source));
    // Act
    source.push('later');
    as('b', (ctx) => {
      ctx.state.items.add('x');
      ctx.state.items.update([]);
    });
    // Assess
    expect(runtime.keyedEntries('items')).toEqual([['a', ['p', 'q']]]);
  });
});

describe('ReducingState', () => {
  it('reduces values in the order added, per key, and forgets them on clear', () => {
    const { as } = harness();
    as('a', (ctx) => {
      ctx.state.joined.add('x');
      ctx.state.joined.add('y');
    });
    as('b', (ctx) => ctx.state.joined.add('other'));
    as('a', (ctx) => ctx.state.joined.add('z'));
    expect(as('a', (ctx) => ctx.state.joined.get())).toBe('x,y,z');
    as('a', (ctx) => ctx.state.joined.clear());
    expect(as('a', (ctx) => ctx.state.joined.get())).toBeUndefined();
    expect(as('b', (ctx) => ctx.state.joined.get())).toBe('other');
  });
});

describe('AggregatingState', () => {
  it('returns undefined until added to, then getResult of the accumulator', () => {
    const { as } = harness();
    expect(as('a', (ctx) => ctx.state.average.get())).toBeUndefined();
    as('a', (ctx) => {
      ctx.state.average.add(2);
      ctx.state.average.add(4);
    });
    as('b', (ctx) => ctx.state.average.add(10));
    expect(as('a', (ctx) => ctx.state.average.get())).toBe(3);
    expect(as('b', (ctx) => ctx.state.average.get())).toBe(10);
  });

  it('starts from a fresh accumulator after clear', () => {
    const { as } = harness();
    as('a', (ctx) => ctx.state.average.add(100));
    as('a', (ctx) => ctx.state.average.clear());
    as('a', (ctx) => ctx.state.average.add(1));
    expect(as('a', (ctx) => ctx.state.average.get())).toBe(1);
  });
});

describe('keyed context', () => {
  it('exposes the record partition key as ctx.key', () => {
    const { as } = harness();
    expect(as('user-42', (ctx) => ctx.key)).toBe('user-42');
  });

  it('rejects keyed state, ctx.key and keyed timers used after processElement returned', () => {
    // Prepare
    const { as } = harness();
    const kept = as('a', (ctx) => ctx);
    // Act / Assess
    expect(() => kept.state.count.value()).toThrow(NoKeyedContextError);
    expect(() => kept.state.pages.put('x', 1)).toThrow(/'pages' needs a current key/);
    expect(() => kept.key).toThrow(NoKeyedContextError);
    expect(() => kept.timerService.deleteEventTimeTimer(1)).toThrow(NoKeyedContextError);
  });

  it('leaves no keyed context behind when processElement throws', () => {
    const { as } = harness();
    let kept: Ctx | undefined;
    expect(() =>
      as('a', (ctx) => {
        kept = ctx;
        throw new Error('user bug');
      }),
    ).toThrow('user bug');
    expect(() => kept?.state.count.update(1)).toThrow(NoKeyedContextError);
  });
});
