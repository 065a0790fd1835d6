import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveMaxConcurrentCheckpoints } from '../../../core/checkpoint/checkpoint-coordinator-decisions.js';
import { runCoordinatorStep } from '../../../core/checkpoint/coordinator-step.js';
import type { CheckpointStore, JobLedger, LedgerChange } from '../../../core/ports/checkpoint-store.js';
import { inlineAck, STEP_JOB, stepFixture } from './coordinator-step-fixture.js';

/**
 * A processor step and a supervisor step run concurrently, their store calls
 * interleaved in any order fast-check's scheduler picks, with time passing and
 * acks arriving in between. Whatever the order, Flink's rules hold on what is
 * stored: never more than maxConcurrentCheckpoints pending, the latest pointer
 * never moves back, no trigger within minPauseMs of a completion.
 */

interface Observed {
  pending: Set<number>;
  maxPending: number;
  pointers: number[];
  completionsMs: number[];
  violations: string[];
}

/** Every store call waits for the scheduler; the effects are observed as they land. */
function scheduledStore(
  inner: CheckpointStore,
  s: fc.Scheduler,
  observed: Observed,
  minPauseMs: number,
): CheckpointStore {
  return new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const name = String(property);
      return async (...args: unknown[]) => {
        await s.schedule(Promise.resolve(name));
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        // A step's decisions land in one ledger write: read what it created and moved.
        if (name === 'commitLedger') {
          const [, base, change] = args as [string, JobLedger, LedgerChange];
          for (const record of change.put ?? []) {
            const before = base.checkpoints.find((r) => r.checkpointId === record.checkpointId);
            if (!before && record.status === 'PENDING') {
              observed.pending.add(record.checkpointId);
              observed.maxPending = Math.max(observed.maxPending, observed.pending.size);
              const last = Math.max(...observed.completionsMs, Number.NEGATIVE_INFINITY);
              if (record.triggerTimeMs < last + minPauseMs) {
                observed.violations.push(`checkpoint ${record.checkpointId} triggered within the min pause`);
              }
            }
            if (before?.status === 'PENDING' && record.status !== 'PENDING') {
              observed.pending.delete(record.checkpointId);
              if (record.status === 'COMPLETED') observed.completionsMs.push(record.completedAtMs ?? 0);
            }
          }
          // A pending checkpoint aborted (subsumed) and pruned from the history in the same write.
          for (const id of change.remove ?? []) {
            if (base.checkpoints.find((r) => r.checkpointId === id)?.status === 'PENDING')
              observed.pending.delete(id);
          }
          const pointer = (await target.getJob(STEP_JOB))?.latestCheckpointId ?? 0;
          const previous = observed.pointers[observed.pointers.length - 1] ?? 0;
          if (pointer < previous)
            observed.violations.push(`pointer moved back from ${previous} to ${pointer}`);
          observed.pointers.push(pointer);
        }
        return result;
      };
    },
  });
}

const configArbitrary = fc.oneof(
  fc.record({ minPauseMs: fc.constant(0), maxConcurrentCheckpoints: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ minPauseMs: fc.integer({ min: 1, max: 3_000 }), maxConcurrentCheckpoints: fc.constant(1) }),
);

const roundArbitrary = fc.record({
  advanceMs: fc.integer({ min: 0, max: 1_500 }),
  acks: fc.array(fc.nat({ max: 7 }), { maxLength: 4 }),
  supervisor: fc.boolean(),
  processors: fc.integer({ min: 0, max: 2 }),
});

describe('a processor step and a supervisor step interleaved', () => {
  it('never exceed maxConcurrentCheckpoints, never move the pointer back, never trigger within the min pause', async () => {
    await fc.assert(
      fc.asyncProperty(
        configArbitrary,
        fc.array(roundArbitrary, { minLength: 3, maxLength: 12 }),
        fc.scheduler(),
        async (rules, rounds, s) => {
          // Prepare
          const f = stepFixture({
            intervalMs: 500,
            timeoutMs: 4_000,
            tolerableFailedCheckpoints: 100,
            ...rules,
          });
          const observed: Observed = {
            pending: new Set(),
            maxPending: 0,
            pointers: [],
            completionsMs: [],
            violations: [],
          };
          const store = scheduledStore(f.store, s, observed, rules.minPauseMs);
          const deps = { ...f.deps, store };
          const supervisorOptions = { triggerNotBeforeMs: () => 0 };

          // Act: each round, some time passes, some acks land, then steps run concurrently
          for (const round of rounds) {
            f.clock.advance(round.advanceMs);
            const pending = (await f.store.listCheckpoints(STEP_JOB)).filter((r) => r.status === 'PENDING');
            for (const pick of round.acks) {
              const target = pending[pick % Math.max(1, pending.length)];
              const shardId = f.shardIds[pick % f.shardIds.length]!;
              if (target && !(await f.store.getAck(STEP_JOB, target.checkpointId, shardId))) {
                await f.store.putAck(STEP_JOB, inlineAck(target.checkpointId, shardId, f.clock.nowMs()));
              }
            }
            const steps = [
              ...Array.from({ length: round.processors }, () => runCoordinatorStep(deps, f.settings)),
              ...(round.supervisor ? [runCoordinatorStep(deps, f.settings, supervisorOptions)] : []),
            ];
            await s.waitFor(Promise.all(steps));
          }

          // Assess
          expect(observed.violations).toEqual([]);
          expect(observed.maxPending).toBeLessThanOrEqual(effectiveMaxConcurrentCheckpoints(f.config));
        },
      ),
      { numRuns: 150 },
    );
  });
});
