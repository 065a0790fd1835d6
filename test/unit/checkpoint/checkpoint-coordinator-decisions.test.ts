import { describe, expect, it } from 'vitest';
import {
  type CompletedCheckpointView,
  type CoordinatorConfig,
  type CoordinatorView,
  checkpointsToSubsume,
  decideCheckpointActions,
  expiredCheckpoints,
  nextWakeTime,
  onCheckpointCompleted,
  type PendingCheckpointView,
  pendingSubsumedBy,
} from '../../../core/checkpoint/checkpoint-coordinator-decisions.js';

const CONFIG: CoordinatorConfig = {
  intervalMs: 1_000,
  timeoutMs: 10_000,
  minPauseMs: 0,
  maxConcurrentCheckpoints: 1,
  tolerableFailedCheckpoints: 0,
  numRetainedCheckpoints: 1,
};

function view(overrides: Partial<CoordinatorView> = {}): CoordinatorView {
  return {
    nowMs: 50_000,
    jobStatus: 'RUNNING',
    pending: [],
    continuousFailureCount: 0,
    completed: [],
    ...overrides,
  };
}

const chk = (checkpointId: number, triggerTimeMs = 45_000): PendingCheckpointView => ({
  checkpointId,
  kind: 'CHECKPOINT',
  triggerTimeMs,
});
const sav = (checkpointId: number, triggerTimeMs = 45_000): PendingCheckpointView => ({
  checkpointId,
  kind: 'SAVEPOINT',
  triggerTimeMs,
});
const done = (checkpointId: number, kind: CompletedCheckpointView['kind'] = 'CHECKPOINT') => ({
  checkpointId,
  kind,
  completedAtMs: checkpointId * 1_000,
});

describe('expiredCheckpoints', () => {
  it.each([
    ['one ms before its timeout', 39_999, []],
    ['exactly at trigger time + timeoutMs', 40_000, [1]],
    ['after its timeout', 45_000, [1]],
  ])('a checkpoint triggered at 30000 with timeoutMs 10000 is expired %s', (_when, nowMs, expected) => {
    // Act
    const expired = expiredCheckpoints([chk(1, 30_000)], nowMs, 10_000);

    // Assess
    expect(expired.map((p) => p.checkpointId)).toEqual(expected);
  });

  it('a savepoint expires like a checkpoint', () => {
    expect(expiredCheckpoints([sav(3, 0)], 10_000, 10_000)).toEqual([sav(3, 0)]);
  });
});

describe('pendingSubsumedBy', () => {
  it('when checkpoint n completes, pending periodic checkpoints with id < n are subsumed, savepoints are not', () => {
    // Act
    const subsumed = pendingSubsumedBy(5, [chk(3), sav(4), chk(6), chk(2)]);

    // Assess
    expect(subsumed.map((p) => p.checkpointId)).toEqual([3, 2]);
  });
});

describe('checkpointsToSubsume', () => {
  it.each([
    [1, [1, 2, 3], [1, 2]],
    [2, [3, 1, 2], [1]],
    [3, [1, 2], []],
    [0, [1, 2], [1]],
  ])(
    'numRetainedCheckpoints %i of %j discards %j (newest by id kept, at least one)',
    (num, ids, expected) => {
      // Act
      const subsume = checkpointsToSubsume(
        ids.map((id) => done(id)),
        num,
      );

      // Assess
      expect(subsume).toEqual(expected);
    },
  );

  it('savepoints are never subsumed and do not count toward numRetainedCheckpoints', () => {
    // Prepare
    const completed = [done(1), done(2, 'SAVEPOINT'), done(3), done(4, 'SAVEPOINT')];

    // Act
    const subsume = checkpointsToSubsume(completed, 1);

    // Assess
    expect(subsume).toEqual([1]);
  });
});

describe('nextWakeTime', () => {
  it('wakes at the earlier of the next trigger and the next timeout', () => {
    // Act
    const wake = nextWakeTime(
      { ...CONFIG, maxConcurrentCheckpoints: 2 },
      view({ pending: [chk(1, 49_000)], lastTriggerTimeMs: 49_500 }),
    );

    // Assess: trigger due at 50500, timeout at 59000
    expect(wake).toBe(50_500);
  });

  it('at maxConcurrentCheckpoints, wakes only for the next timeout (a completion is an outside event)', () => {
    // Act
    const wake = nextWakeTime(CONFIG, view({ pending: [chk(1, 49_000)], lastTriggerTimeMs: 49_000 }));

    // Assess
    expect(wake).toBe(59_000);
  });

  it('is Infinity when checkpointing is disabled and nothing is pending', () => {
    expect(nextWakeTime({ ...CONFIG, intervalMs: undefined }, view())).toBe(Number.POSITIVE_INFINITY);
  });

  it('after the job failed, wakes only for the timeouts of what is still pending', () => {
    expect(nextWakeTime(CONFIG, view({ jobStatus: 'FAILED', pending: [sav(2, 41_000)] }))).toBe(51_000);
  });
});

describe('decideCheckpointActions', () => {
  it('aborts an expired checkpoint and triggers a new one in the same round', () => {
    // Act
    const decision = decideCheckpointActions(
      { ...CONFIG, tolerableFailedCheckpoints: 3 },
      view({ pending: [chk(7, 40_000)], lastTriggerTimeMs: 40_000 }),
    );

    // Assess
    expect(decision).toMatchObject({
      abort: [{ checkpointId: 7, reason: 'CHECKPOINT_EXPIRED' }],
      trigger: true,
      continuousFailureCount: 1,
      nextWakeMs: 60_000,
    });
    expect(decision.failJob).toBeUndefined();
    expect(decision.why[0]).toBe('checkpoint 7 expired: triggered at 40000 ms, timeoutMs 10000');
  });

  it('fails the job when expirations exceed tolerableFailedCheckpoints, and does not trigger', () => {
    // Act
    const decision = decideCheckpointActions(
      { ...CONFIG, tolerableFailedCheckpoints: 1, maxConcurrentCheckpoints: 2 },
      view({ pending: [chk(7, 39_000), chk(8, 40_000)], lastTriggerTimeMs: 40_000 }),
    );

    // Assess
    expect(decision.abort.map((a) => a.checkpointId)).toEqual([7, 8]);
    expect(decision.failJob?.reason).toContain('tolerableFailedCheckpoints = 1');
    expect(decision.trigger).toBe(false);
    expect(decision.continuousFailureCount).toBe(0);
  });

  it('an expired savepoint is aborted but does not count toward tolerableFailedCheckpoints', () => {
    // Act
    const decision = decideCheckpointActions(CONFIG, view({ pending: [sav(9, 40_000)] }));

    // Assess
    expect(decision.abort).toEqual([{ checkpointId: 9, reason: 'CHECKPOINT_EXPIRED' }]);
    expect(decision.failJob).toBeUndefined();
    expect(decision.continuousFailureCount).toBe(0);
  });

  it('aborts expired checkpoints of a stopped job without counting them or failing the job again', () => {
    // Act
    const decision = decideCheckpointActions(CONFIG, view({ jobStatus: 'CANCELED', pending: [chk(4, 1)] }));

    // Assess
    expect(decision).toMatchObject({
      abort: [{ checkpointId: 4 }],
      trigger: false,
      continuousFailureCount: 0,
    });
    expect(decision.failJob).toBeUndefined();
  });

  it('aborts as CHECKPOINT_SUBSUMED a pending checkpoint older than the latest completed one', () => {
    // Act
    const decision = decideCheckpointActions(
      { ...CONFIG, maxConcurrentCheckpoints: 3 },
      view({ pending: [chk(3, 1), sav(4, 49_000)], completed: [done(5)], lastTriggerTimeMs: 49_900 }),
    );

    // Assess: 3 is subsumed (not expired, so not counted); the savepoint stays
    expect(decision.abort).toEqual([{ checkpointId: 3, reason: 'CHECKPOINT_SUBSUMED' }]);
    expect(decision.continuousFailureCount).toBe(0);
  });

  it('keeps the newest numRetainedCheckpoints completed checkpoints and discards the rest', () => {
    // Act
    const decision = decideCheckpointActions(
      { ...CONFIG, numRetainedCheckpoints: 2 },
      view({ completed: [done(3), done(1), done(2, 'SAVEPOINT'), done(4)] }),
    );

    // Assess
    expect(decision.subsume).toEqual([1]);
  });

  it('does not trigger while checkpointing is disabled, but still discards and expires', () => {
    // Act
    const decision = decideCheckpointActions(
      { ...CONFIG, intervalMs: undefined },
      view({ pending: [sav(2, 30_000)], completed: [done(1), done(3)] }),
    );

    // Assess
    expect(decision).toMatchObject({ trigger: false, subsume: [1], nextWakeMs: Number.POSITIVE_INFINITY });
    expect(decision.abort).toEqual([{ checkpointId: 2, reason: 'CHECKPOINT_EXPIRED' }]);
  });

  it('maxConcurrentCheckpoints 3 allows three pending checkpoints', () => {
    // Prepare
    const config = { ...CONFIG, maxConcurrentCheckpoints: 3 };

    // Act
    const third = decideCheckpointActions(config, view({ pending: [chk(1, 48_000), chk(2, 49_000)] }));
    const fourth = decideCheckpointActions(
      config,
      view({ pending: [chk(1, 48_000), chk(2, 49_000), chk(3, 50_000)], lastTriggerTimeMs: 48_000 }),
    );

    // Assess
    expect([third.trigger, fourth.trigger]).toEqual([true, false]);
  });

  it('after triggering, wakes at the next interval (the new checkpoint times out later)', () => {
    // Act
    const decision = decideCheckpointActions({ ...CONFIG, maxConcurrentCheckpoints: 2 }, view());

    // Assess
    expect(decision).toMatchObject({ trigger: true, nextWakeMs: 51_000 });
  });

  it('after triggering the only allowed checkpoint, wakes at its timeout', () => {
    // Act
    const decision = decideCheckpointActions(CONFIG, view());

    // Assess
    expect(decision).toMatchObject({ trigger: true, nextWakeMs: 60_000 });
  });

  it('says why it does nothing', () => {
    // Act
    const decision = decideCheckpointActions(CONFIG, view({ lastTriggerTimeMs: 49_500 }));

    // Assess
    expect(decision).toMatchObject({ abort: [], trigger: false, subsume: [], nextWakeMs: 50_500 });
    expect(decision.why).toEqual([
      'next periodic checkpoint due at 50500 ms (last trigger 49500 ms + interval 1000 ms)',
    ]);
  });
});

describe('onCheckpointCompleted', () => {
  it('a completed checkpoint subsumes older pending checkpoints, resets the failure counter and starts the min pause', () => {
    // Prepare
    const before = view({ pending: [chk(2), chk(3), sav(1), chk(4)], continuousFailureCount: 2 });

    // Act
    const outcome = onCheckpointCompleted(before, {
      checkpointId: 3,
      kind: 'CHECKPOINT',
      completedAtMs: 50_000,
    });

    // Assess
    expect(outcome.abort).toEqual([{ checkpointId: 2, reason: 'CHECKPOINT_SUBSUMED' }]);
    expect(outcome.view.pending.map((p) => p.checkpointId)).toEqual([1, 4]);
    expect(outcome.view).toMatchObject({ continuousFailureCount: 0, lastCompletionTimeMs: 50_000 });
    expect(outcome.view.completed).toEqual([{ checkpointId: 3, kind: 'CHECKPOINT', completedAtMs: 50_000 }]);
  });

  it('a completed savepoint subsumes nothing but resets the counter and starts the min pause', () => {
    // Prepare
    const before = view({ pending: [chk(2), sav(3)], continuousFailureCount: 1 });

    // Act
    const outcome = onCheckpointCompleted(before, {
      checkpointId: 3,
      kind: 'SAVEPOINT',
      completedAtMs: 50_000,
    });

    // Assess
    expect(outcome.abort).toEqual([]);
    expect(outcome.view.pending).toEqual([chk(2)]);
    expect(outcome.view).toMatchObject({ continuousFailureCount: 0, lastCompletionTimeMs: 50_000 });
  });

  it('never moves the last completion time backwards', () => {
    // Act
    const outcome = onCheckpointCompleted(view({ lastCompletionTimeMs: 60_000 }), done(5));

    // Assess
    expect(outcome.view.lastCompletionTimeMs).toBe(60_000);
  });
});
