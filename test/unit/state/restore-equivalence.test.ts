import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamRecord } from '../../../core/ports/stream.js';
import {
  aggregatingState,
  defineOperator,
  listState,
  mapState,
  OperatorRuntime,
  reducingState,
  valueState,
} from '../../../core/state/index.js';
import { jsonRecord, SHARD_ID } from './records.js';

interface Event {
  v: number;
  t: number;
}

/** Counts, sums and buckets per key, with event- and processing-time timers that mutate state when they fire. */
const countingOperator = defineOperator({
  name: 'counting',
  state: {
    count: valueState({ default: 0 }),
    sum: reducingState<number>((a, b) => a + b),
    buckets: mapState<number, number>(),
    recent: listState<number>(),
    // A mutating accumulator, as real AggregateFunctions often have.
    average: aggregatingState({
      createAccumulator: () => [0, 0] as [number, number],
      add: (v: number, acc: [number, number]) => {
        acc[0] += v;
        acc[1] += 1;
        return acc;
      },
      getResult: (acc) => acc[0] / acc[1],
    }),
    fired: listState<string>(),
  },
  operatorState: { processed: 0, timersFired: 0 },
  timestampOf: (event: Event) => event.t,
  outOfOrdernessMs: 5,
  processElement(event, ctx) {
    const { state, timerService } = ctx;
    state.count.update(state.count.value() + 1);
    state.sum.add(event.v);
    state.buckets.put(event.v % 4, (state.buckets.get(event.v % 4) ?? 0) + 1);
    if (event.v % 5 === 0) state.buckets.remove((event.v + 1) % 4);
    state.recent.add(event.v);
    if (state.recent.get().length > 4) state.recent.update(state.recent.get().slice(-2));
    state.average.add(event.v);
    timerService.registerEventTimeTimer(event.t + (event.v % 3) * 7);
    if (event.v % 4 === 0) timerService.deleteEventTimeTimer(event.t + 7);
    if (event.v % 2 === 0) timerService.registerProcessingTimeTimer(event.t + event.v);
    ctx.operatorState.update('processed', (n) => n + 1);
  },
  onTimer(timestampMs, ctx) {
    ctx.state.fired.add(
      `${ctx.timeDomain === 'EVENT_TIME' ? 'e' : 'p'}${timestampMs}@${ctx.timerService.currentWatermark()}`,
    );
    ctx.operatorState.update('timersFired', (n) => n + 1);
    // Already due when the watermark is past it: exercises timers registered inside onTimer.
    if (ctx.timeDomain === 'EVENT_TIME' && timestampMs % 2 === 0)
      ctx.timerService.registerEventTimeTimer(timestampMs + 1);
    if (ctx.state.count.value() > 3) ctx.state.count.clear();
  },
});

type Action = { kind: 'record'; key: string; event: Event } | { kind: 'processingTime'; nowMs: number };
type Runtime = OperatorRuntime<Event, typeof countingOperator.state, typeof countingOperator.operatorState>;

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      key: fc.constantFrom('a', 'b', 'c', 'd'),
      event: fc.record({ v: fc.nat(20), t: fc.integer({ min: 0, max: 200 }) }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('processingTime' as const),
      nowMs: fc.integer({ min: 0, max: 300 }),
    }),
  },
);

/** Records are built once per action so both runs see identical sequence numbers. */
function toSteps(actions: Action[]): Array<StreamRecord | number> {
  return actions.map((action) =>
    action.kind === 'record' ? jsonRecord(action.key, action.event) : action.nowMs,
  );
}

function apply(runtime: Runtime, step: StreamRecord | number): void {
  if (typeof step === 'number') runtime.advanceProcessingTime(step);
  else runtime.processRecord(step);
}

describe('restore(captureSnapshot())', () => {
  it('gives a runtime that ends in the same state as an uninterrupted run, whatever the cut points', () => {
    fc.assert(
      fc.property(
        fc.array(actionArbitrary, { maxLength: 150, size: 'max' }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (actions, rawCuts) => {
          // Prepare
          const steps = toSteps(actions);
          const cuts = new Set(rawCuts.map((cut) => cut % (steps.length + 1)));
          // Act: run A straight through.
          const straight: Runtime = new OperatorRuntime(countingOperator, { shardId: SHARD_ID });
          for (const step of steps) apply(straight, step);
          // Act: run B, replaced at each cut by a runtime restored from a copy of its snapshot (as decoding would give).
          let recovered: Runtime = new OperatorRuntime(countingOperator, { shardId: SHARD_ID });
          steps.forEach((step, i) => {
            if (cuts.has(i)) {
              const content = structuredClone(recovered.captureSnapshot());
              recovered = OperatorRuntime.fromSnapshot(countingOperator, content, { shardId: SHARD_ID });
            }
            apply(recovered, step);
          });
          if (cuts.has(steps.length)) {
            recovered = OperatorRuntime.fromSnapshot(
              countingOperator,
              structuredClone(recovered.captureSnapshot()),
            );
          }
          // Assess
          expect(recovered.captureSnapshot()).toEqual(straight.captureSnapshot());
          expect(recovered.stats()).toEqual(straight.stats());
        },
      ),
      { numRuns: 300 },
    );
  });
});
