import { describe, expect, it } from 'vitest';
import {
  aggregatingState,
  defineOperator,
  emptySnapshotContent,
  listState,
  mapState,
  OperatorRuntime,
  reducingState,
  StateRestoreError,
  type StateSnapshotContent,
  valueState,
} from '../../../core/state/index.js';
import { jsonRecord, SHARD_ID } from './records.js';

interface Event {
  t: number;
  v: number;
  page: string;
}

const definition = defineOperator({
  name: 'snapshot-test',
  state: {
    count: valueState({ default: 0 }),
    pages: mapState<string, number>(),
    recent: listState<number>(),
    sum: reducingState<number>((a, b) => a + b),
    stats: aggregatingState({
      createAccumulator: () => ({ n: 0, max: Number.NEGATIVE_INFINITY }),
      add: (v: number, acc: { n: number; max: number }) => ({ n: acc.n + 1, max: Math.max(acc.max, v) }),
      getResult: (acc) => acc,
    }),
  },
  operatorState: { processed: 0 },
  timestampOf: (event: Event) => event.t,
  processElement(event, ctx) {
    ctx.state.count.update(ctx.state.count.value() + 1);
    ctx.state.pages.put(event.page, (ctx.state.pages.get(event.page) ?? 0) + 1);
    ctx.state.recent.add(event.v);
    ctx.state.sum.add(event.v);
    ctx.state.stats.add(event.v);
    ctx.operatorState.update('processed', (n) => n + 1);
    ctx.timerService.registerEventTimeTimer(event.t + 100);
    ctx.timerService.registerProcessingTimeTimer(event.t + 5);
  },
  onTimer(_ts, ctx) {
    ctx.state.pages.clear();
  },
});

function runtimeWith(
  events: Array<[string, Event]>,
): OperatorRuntime<Event, typeof definition.state, typeof definition.operatorState> {
  const runtime = new OperatorRuntime(definition, { shardId: SHARD_ID });
  for (const [key, event] of events) runtime.processRecord(jsonRecord(key, event));
  return runtime;
}

describe('captureSnapshot', () => {
  it('lists every declared state, the initial operator state and no watermark on a fresh runtime', () => {
    expect(new OperatorRuntime(definition).captureSnapshot()).toEqual({
      keyed: { count: [], pages: [], recent: [], sum: [], stats: [] },
      operator: { processed: 0 },
      timers: { eventTime: [], processingTime: [] },
      watermarkMs: null,
    });
  });

  it('captures keyed state in snapshot form, timers in firing order and the watermark', () => {
    const runtime = runtimeWith([
      ['b', { t: 10, v: 1, page: '/x' }],
      ['a', { t: 5, v: 2, page: '/y' }],
    ]);
    expect(runtime.captureSnapshot()).toEqual({
      keyed: {
        count: [
          ['b', 1],
          ['a', 1],
        ],
        pages: [
          ['b', [['/x', 1]]],
          ['a', [['/y', 1]]],
        ],
        recent: [
          ['b', [1]],
          ['a', [2]],
        ],
        sum: [
          ['b', 1],
          ['a', 2],
        ],
        stats: [
          ['b', { n: 1, max: 1 }],
          ['a', { n: 1, max: 2 }],
        ],
      },
      operator: { processed: 2 },
      timers: {
        eventTime: [
          { key: 'a', timestampMs: 105 },
          { key: 'b', timestampMs: 110 },
        ],
        processingTime: [
          { key: 'a', timestampMs: 10 },
          { key: 'b', timestampMs: 15 },
        ],
      },
      watermarkMs: 10,
    });
  });

  it('is not changed by anything the runtime does afterwards through the state API', () => {
    // Prepare
    const runtime = runtimeWith([
      ['a', { t: 10, v: 1, page: '/x' }],
      ['b', { t: 20, v: 2, page: '/y' }],
    ]);
    const content = runtime.captureSnapshot();
    const asCaptured = structuredClone(content);
    // Act: every kind of mutation, timers firing (which clear map state) and a restore.
    runtime.processRecord(jsonRecord('a', { t: 30, v: 3, page: '/x' }));
    runtime.processRecord(jsonRecord('b', { t: 500, v: 4, page: '/z' }));
    runtime.advanceProcessingTime(1_000);
    runtime.restore(emptySnapshotContent());
    runtime.processRecord(jsonRecord('c', { t: 600, v: 5, page: '/w' }));
    // Assess
    expect(content).toEqual(asCaptured);
  });

  it('shares stored values by reference instead of deep-copying them (documented: encode before user code runs again)', () => {
    // Prepare
    const stored = { nested: [1] };
    const runtime = new OperatorRuntime(
      defineOperator({
        name: 'shared',
        state: { doc: valueState<{ nested: number[] }>() },
        processElement(_event, ctx) {
          ctx.state.doc.update(stored);
        },
      }),
    );
    runtime.processRecord(jsonRecord('a', {}));
    // Act
    const content = runtime.captureSnapshot();
    // Assess
    expect(content.keyed.doc?.[0]?.[1]).toBe(stored);
  });
});

describe('restore', () => {
  it('replaces all state: keys absent from the snapshot are gone, timers and watermark come back', () => {
    // Prepare
    const source = runtimeWith([['a', { t: 10, v: 1, page: '/x' }]]);
    const content = source.captureSnapshot();
    const target = runtimeWith([['z', { t: 99, v: 9, page: '/q' }]]);
    // Act
    target.restore(content);
    // Assess
    expect(target.captureSnapshot()).toEqual(content);
    expect(target.watermarkMs).toBe(10);
    expect(target.stats()).toEqual({ keys: 1, timers: 2 });
  });

  it('shares no container with the content, so one content can seed several runtimes', () => {
    // Prepare
    const content = runtimeWith([['a', { t: 10, v: 1, page: '/x' }]]).captureSnapshot();
    const asCaptured = structuredClone(content);
    const first = OperatorRuntime.fromSnapshot(definition, content, { shardId: SHARD_ID });
    // Act
    first.processRecord(jsonRecord('a', { t: 20, v: 2, page: '/x' }));
    first.processRecord(jsonRecord('a', { t: 300, v: 2, page: '/y' }));
    const second = OperatorRuntime.fromSnapshot(definition, content, { shardId: SHARD_ID });
    // Assess
    expect(content).toEqual(asCaptured);
    expect(second.captureSnapshot()).toEqual(asCaptured);
  });

  it('starts declared states missing from the snapshot empty and operator state from its initial value', () => {
    const runtime = runtimeWith([['a', { t: 10, v: 1, page: '/x' }]]);
    runtime.restore({ ...emptySnapshotContent(), keyed: { count: [['k', 4]] } });
    expect(runtime.captureSnapshot()).toMatchObject({
      keyed: { count: [['k', 4]], pages: [], recent: [] },
      operator: { processed: 0 },
    });
  });

  it.each<[string, (content: StateSnapshotContent) => unknown, string]>([
    ['an undeclared keyed state', (c) => (c.keyed.gone = []), 'keyed.gone'],
    ['an undeclared operator value', (c) => (c.operator.gone = 1), 'operator.gone'],
    [
      'keyed entries that are not pairs',
      (c) => (c.keyed.count = [['a'] as unknown as [string, unknown]]),
      'keyed.count[0]',
    ],
    [
      'a key that appears twice',
      (c) =>
        (c.keyed.count = [
          ['a', 1],
          ['a', 2],
        ]),
      'keyed.count[1]',
    ],
    ['map state that is not pairs', (c) => (c.keyed.pages = [['a', { x: 1 }]]), 'keyed.pages[0][1]'],
    ['list state that is not an array', (c) => (c.keyed.recent = [['a', 'xyz']]), 'keyed.recent[0][1]'],
    [
      'a timer without a timestamp',
      (c) => c.timers.eventTime.push({ key: 'a' } as never),
      'timers.eventTime[0]',
    ],
    ['a watermark that is not a number', (c) => (c.watermarkMs = 'x' as never), 'watermarkMs'],
  ])(
    'refuses %s with StateRestoreError naming the path, leaving the runtime unchanged',
    (_what, corrupt, path) => {
      // Prepare
      const runtime = runtimeWith([['a', { t: 10, v: 1, page: '/x' }]]);
      const before = runtime.captureSnapshot();
      const content = emptySnapshotContent();
      corrupt(content);
      // Act
      let error: unknown;
      try {
        runtime.restore(content);
      } catch (caught) {
        error = caught;
      }
      // Assess
      expect(error).toBeInstanceOf(StateRestoreError);
      expect(error).toMatchObject({ path, reason: 'BAD_INPUT' });
      expect(runtime.captureSnapshot()).toEqual(before);
    },
  );

  it('drops undeclared state when allowNonRestoredState is set', () => {
    const runtime = new OperatorRuntime(definition, { shardId: SHARD_ID, allowNonRestoredState: true });
    runtime.restore({
      ...emptySnapshotContent(),
      keyed: { gone: [['a', 1]], count: [['a', 2]] },
      operator: { gone: 1 },
    });
    expect(runtime.captureSnapshot()).toMatchObject({
      keyed: { count: [['a', 2]] },
      operator: { processed: 0 },
    });
    expect(runtime.captureSnapshot().keyed).not.toHaveProperty('gone');
  });

  it('refuses timers for an operator without onTimer', () => {
    const runtime = new OperatorRuntime(defineOperator({ name: 'no-timer', processElement() {} }));
    const content = emptySnapshotContent();
    content.timers.eventTime.push({ key: 'a', timestampMs: 1 });
    expect(() => runtime.restore(content)).toThrow(/holds timers but the operator defines no onTimer/);
  });
});
