import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSnapshot } from '../../../core/snapshot/index.js';
import {
  aggregatingState,
  defineOperator,
  listState,
  mapState,
  OperatorRuntime,
  reducingState,
  valueState,
} from '../../../core/state/index.js';
import type { SnapshotMetadata } from '../../../core/state/snapshot-content.js';
import { jsonRecord, SHARD_ID } from './records.js';

interface Event {
  t: number;
  v: number;
  page: string;
}

// Every kind of keyed state, with values the writer handles itself (numbers, strings,
// objects, arrays, Maps) and one it hands to msgpackr (Date).
const definition = defineOperator({
  name: 'view-test',
  state: {
    last: valueState<{ page: string; at: Date; seen: Map<string, number> }>(),
    pages: mapState<string, number>(),
    byTime: mapState<number, { v: number; pages: string[] }>(),
    recent: listState<{ v: number; page: string }>(),
    sum: reducingState<number>((a, b) => a + b),
    stats: aggregatingState({
      createAccumulator: () => ({ n: 0, max: Number.NEGATIVE_INFINITY }),
      add: (v: number, acc: { n: number; max: number }) => ({ n: acc.n + 1, max: Math.max(acc.max, v) }),
      getResult: (acc) => acc,
    }),
  },
  operatorState: { processed: 0, lastPages: new Map<string, number>() },
  timestampOf: (event: Event) => event.t,
  processElement(event, ctx) {
    const seen = new Map(ctx.state.last.value()?.seen);
    seen.set(event.page, (seen.get(event.page) ?? 0) + 1);
    ctx.state.last.update({ page: event.page, at: new Date(event.t), seen });
    ctx.state.pages.put(event.page, (ctx.state.pages.get(event.page) ?? 0) + 1);
    ctx.state.byTime.put(event.t, { v: event.v, pages: [event.page] });
    ctx.state.recent.add({ v: event.v, page: event.page });
    ctx.state.sum.add(event.v);
    ctx.state.stats.add(event.v);
    ctx.operatorState.update('processed', (n) => n + 1);
    ctx.operatorState.update('lastPages', (pages) => new Map(pages).set(ctx.key, event.v));
    ctx.timerService.registerEventTimeTimer(event.t + 100);
  },
  onTimer(_timestampMs, ctx) {
    ctx.state.pages.clear();
    ctx.state.recent.update([]);
  },
});

const meta: SnapshotMetadata = {
  jobId: 'job',
  shardId: SHARD_ID,
  checkpointId: 3,
  sequenceNumber: '49000000000000000000000000000000000000000000000000000001',
  operatorName: 'view-test',
  createdAtMs: 1_700_000_000_000,
};

const event = fc.record({
  key: fc.constantFrom('a', 'b', 'user-ü', ''),
  t: fc.integer({ min: 0, max: 2_000 }),
  v: fc.oneof(fc.integer(), fc.double({ noNaN: true })),
  page: fc.string({ maxLength: 40 }),
});

describe('snapshotView', () => {
  it('encodes to the same bytes as the copied captureSnapshot, whatever the runtime went through', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        // Prepare
        const runtime = new OperatorRuntime(definition, { shardId: SHARD_ID });
        for (const { key, ...payload } of events) runtime.processRecord(jsonRecord(key, payload));

        // Act
        const fromView = encodeSnapshot(meta, runtime.snapshotView(), { compression: 'none' });
        const fromCopy = encodeSnapshot(meta, runtime.captureSnapshot(), { compression: 'none' });

        // Assess
        expect(Buffer.from(fromView).equals(Buffer.from(fromCopy))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('hands out the live tables, not copies (why it must be encoded at once)', () => {
    // Prepare
    const runtime = new OperatorRuntime(definition, { shardId: SHARD_ID });
    runtime.processRecord(jsonRecord('a', { t: 1, v: 1, page: '/x' }));
    const view = runtime.snapshotView();

    // Act
    runtime.processRecord(jsonRecord('b', { t: 2, v: 2, page: '/y' }));

    // Assess
    const encoded = encodeSnapshot(meta, view, { compression: 'none' });
    const copy = runtime.captureSnapshot();
    expect(
      Buffer.from(encoded).equals(Buffer.from(encodeSnapshot(meta, copy, { compression: 'none' }))),
    ).toBe(false);
    expect(Buffer.from(encoded).includes(Buffer.from('/y'))).toBe(true);
  });
});
