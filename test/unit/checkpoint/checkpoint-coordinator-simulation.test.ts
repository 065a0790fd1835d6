import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompletedCheckpointView,
  type CoordinatorConfig,
  type CoordinatorDecision,
  type CoordinatorView,
  decideCheckpointActions,
  effectiveMaxConcurrentCheckpoints,
  onCheckpointCompleted,
} from '../../../core/checkpoint/checkpoint-coordinator-decisions.js';
import { FLINK_UNLIMITED } from '../../../core/config/index.js';
import type { CheckpointKind, JobStatus } from '../../../core/ports/checkpoint-store.js';

/**
 * Drives decideCheckpointActions with a fake clock through a random timeline:
 * random ack latencies (some never ack, some beyond the timeout), user savepoints
 * at random times, job failures and restarts. The coordinator is woken at its
 * nextWakeMs and at every completion, as the real scheduler would be.
 */

interface SimCheckpoint {
  checkpointId: number;
  kind: CheckpointKind;
  triggerTimeMs: number;
  /** Undefined: its acks never arrive. */
  completesAtMs: number | undefined;
}

interface Scenario {
  config: CoordinatorConfig;
  ackLatenciesMs: (number | undefined)[];
  savepointRequestsMs: number[];
  restartDelayMs: number;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  config: fc.record({
    intervalMs: fc.option(fc.integer({ min: 10, max: 5_000 }), { nil: undefined, freq: 8 }),
    timeoutMs: fc.integer({ min: 10, max: 10_000 }),
    minPauseMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3_000 })),
    maxConcurrentCheckpoints: fc.integer({ min: 1, max: 4 }),
    tolerableFailedCheckpoints: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(FLINK_UNLIMITED)),
    numRetainedCheckpoints: fc.integer({ min: 1, max: 3 }),
  }),
  ackLatenciesMs: fc.array(fc.option(fc.integer({ min: 1, max: 12_000 }), { nil: undefined, freq: 6 }), {
    minLength: 1,
    maxLength: 30,
  }),
  savepointRequestsMs: fc.array(fc.integer({ min: 0, max: 60_000 }), { maxLength: 5 }),
  restartDelayMs: fc.integer({ min: 1, max: 5_000 }),
});

const MAX_STEPS = 400;

function simulate({ config, ackLatenciesMs, savepointRequestsMs, restartDelayMs }: Scenario): void {
  let nowMs = 0;
  let jobStatus: JobStatus = 'RUNNING';
  let restartAtMs = Number.POSITIVE_INFINITY;
  let pending: SimCheckpoint[] = [];
  let completed: CompletedCheckpointView[] = [];
  let lastTriggerTimeMs: number | undefined;
  let lastCompletionTimeMs: number | undefined;
  let continuousFailureCount = 0;
  let nextId = 1;
  let nextWakeMs = 0;
  const savepointRequests = [...savepointRequestsMs].sort((a, b) => a - b);
  const triggerTimesMs: number[] = [];
  const completedSavepointIds = new Set<number>();
  let lastCompletionSeenMs = Number.NEGATIVE_INFINITY;

  const start = (kind: CheckpointKind): void => {
    const latency = ackLatenciesMs[(nextId - 1) % ackLatenciesMs.length];
    pending.push({
      checkpointId: nextId,
      kind,
      triggerTimeMs: nowMs,
      completesAtMs: latency === undefined ? undefined : nowMs + latency,
    });
    nextId += 1;
  };

  for (let step = 0; step < MAX_STEPS; step++) {
    const completionTimes = pending.flatMap((p) => (p.completesAtMs === undefined ? [] : [p.completesAtMs]));
    const next = Math.min(nextWakeMs, restartAtMs, savepointRequests[0] ?? Infinity, ...completionTimes);
    if (!Number.isFinite(next)) return;
    nowMs = Math.max(nowMs, next);

    // Outside events first: completions (in id order), a restart, savepoint requests.
    for (const p of [...pending].sort((a, b) => a.checkpointId - b.checkpointId)) {
      if (p.completesAtMs === undefined || p.completesAtMs > nowMs) continue;
      if (!pending.includes(p)) continue; // subsumed by an earlier completion in this loop
      const outcome = onCheckpointCompleted(
        {
          nowMs,
          jobStatus,
          pending,
          lastTriggerTimeMs,
          lastCompletionTimeMs,
          continuousFailureCount,
          completed,
        },
        { checkpointId: p.checkpointId, kind: p.kind, completedAtMs: nowMs },
      );
      for (const a of outcome.abort) {
        expect(pending.find((q) => q.checkpointId === a.checkpointId)?.kind).toBe('CHECKPOINT');
      }
      const keep = new Set(outcome.view.pending.map((q) => q.checkpointId));
      pending = pending.filter((q) => keep.has(q.checkpointId));
      completed = outcome.view.completed;
      lastCompletionTimeMs = outcome.view.lastCompletionTimeMs;
      continuousFailureCount = outcome.view.continuousFailureCount;
      lastCompletionSeenMs = nowMs;
      if (p.kind === 'SAVEPOINT') completedSavepointIds.add(p.checkpointId);
    }
    if (restartAtMs <= nowMs) {
      jobStatus = 'RUNNING';
      restartAtMs = Number.POSITIVE_INFINITY;
    }
    while (savepointRequests[0] !== undefined && savepointRequests[0] <= nowMs) {
      savepointRequests.shift();
      if (jobStatus === 'RUNNING') start('SAVEPOINT'); // savepoints are forced past every limit
    }

    const decision: CoordinatorDecision = decideCheckpointActions(config, {
      nowMs,
      jobStatus,
      pending: pending.map(({ checkpointId, kind, triggerTimeMs }) => ({
        checkpointId,
        kind,
        triggerTimeMs,
      })),
      lastTriggerTimeMs,
      lastCompletionTimeMs,
      continuousFailureCount,
      completed,
    });

    // Invariants on the decision itself.
    expect(decision.nextWakeMs).toBeGreaterThan(nowMs);
    const savepointIds = new Set(pending.filter((p) => p.kind === 'SAVEPOINT').map((p) => p.checkpointId));
    for (const a of decision.abort) {
      if (a.reason === 'CHECKPOINT_SUBSUMED') expect(savepointIds.has(a.checkpointId)).toBe(false);
    }
    for (const id of decision.subsume) expect(completedSavepointIds.has(id)).toBe(false);
    if (decision.trigger) {
      expect(jobStatus).toBe('RUNNING');
      expect(config.intervalMs).toBeDefined();
      if (config.minPauseMs > 0)
        expect(nowMs).toBeGreaterThanOrEqual(lastCompletionSeenMs + config.minPauseMs);
    }

    // Apply it.
    const aborted = new Set(decision.abort.map((a) => a.checkpointId));
    pending = pending.filter((p) => !aborted.has(p.checkpointId));
    completed = completed.filter((c) => !decision.subsume.includes(c.checkpointId));
    continuousFailureCount = decision.continuousFailureCount;
    if (decision.failJob !== undefined) {
      jobStatus = 'FAILED';
      restartAtMs = nowMs + restartDelayMs;
    }
    if (decision.trigger) {
      triggerTimesMs.push(nowMs);
      lastTriggerTimeMs = nowMs;
      start('CHECKPOINT');
    }
    nextWakeMs = decision.nextWakeMs;

    // Invariants on the state after it.
    const periodicPending = pending.filter((p) => p.kind === 'CHECKPOINT').length;
    expect(periodicPending).toBeLessThanOrEqual(effectiveMaxConcurrentCheckpoints(config));
    const retained = completed.filter((c) => c.kind === 'CHECKPOINT').length;
    expect(retained).toBeLessThanOrEqual(config.numRetainedCheckpoints);
    for (const id of completedSavepointIds) {
      expect(completed.some((c) => c.checkpointId === id)).toBe(true);
    }
  }

  for (let i = 1; i < triggerTimesMs.length; i++) {
    expect(triggerTimesMs[i]! - triggerTimesMs[i - 1]!).toBeGreaterThanOrEqual(config.intervalMs ?? 0);
  }
  if (config.intervalMs === undefined) expect(triggerTimesMs).toEqual([]);
}

describe('CheckpointCoordinator decisions over a simulated timeline', () => {
  it('keep Flink’s invariants: pending <= maxConcurrentCheckpoints, triggers >= intervalMs apart and >= minPauseMs after a completion, retained <= numRetainedCheckpoints, savepoints never subsumed', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        simulate(s);
      }),
      { numRuns: 200 },
    );
  });

  it('makes progress: a timeline with acks that arrive in time completes checkpoints repeatedly', () => {
    // Prepare
    const config: CoordinatorConfig = {
      intervalMs: 1_000,
      timeoutMs: 5_000,
      minPauseMs: 0,
      maxConcurrentCheckpoints: 1,
      tolerableFailedCheckpoints: 0,
      numRetainedCheckpoints: 2,
    };
    let view: CoordinatorView = {
      nowMs: 0,
      jobStatus: 'RUNNING',
      pending: [],
      continuousFailureCount: 0,
      completed: [],
    };
    const triggered: boolean[] = [];

    // Act: each checkpoint acks 300 ms after its trigger
    for (let id = 1; id <= 5; id++) {
      triggered.push(decideCheckpointActions(config, view).trigger);
      const started = { checkpointId: id, kind: 'CHECKPOINT' as const, triggerTimeMs: view.nowMs };
      const completion = onCheckpointCompleted(
        { ...view, pending: [started], lastTriggerTimeMs: view.nowMs, nowMs: view.nowMs + 300 },
        { checkpointId: id, kind: 'CHECKPOINT', completedAtMs: view.nowMs + 300 },
      );
      view = { ...completion.view, jobStatus: 'RUNNING', nowMs: view.nowMs + 1_000 };
    }

    // Assess
    expect(triggered).toEqual([true, true, true, true, true]);
    expect(decideCheckpointActions(config, view).subsume).toEqual([1, 2, 3]);
  });
});
