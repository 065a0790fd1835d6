import { describe, expect, it } from 'vitest';
import {
  type CheckpointAbortReason,
  COUNTS_TOWARD_TOLERABLE,
  countFailure,
  EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE_MESSAGE,
  onCompletionReset,
} from '../../../core/checkpoint/checkpoint-failure-manager.js';
import { FLINK_UNLIMITED } from '../../../core/config/index.js';

const COUNTED: CheckpointAbortReason[] = [
  'CHECKPOINT_EXPIRED',
  'CHECKPOINT_DECLINED',
  'CHECKPOINT_ASYNC_EXCEPTION',
  'IO_EXCEPTION',
];
const IGNORED = (Object.keys(COUNTS_TOWARD_TOLERABLE) as CheckpointAbortReason[]).filter(
  (r) => !COUNTED.includes(r),
);

describe('countFailure (Flink CheckpointFailureManager)', () => {
  it.each(COUNTED)('%s counts toward tolerableFailedCheckpoints', (reason) => {
    // Act
    const result = countFailure(1, reason, 5);

    // Assess
    expect(result).toEqual({ count: 2 });
  });

  it.each(IGNORED)('%s does not count toward tolerableFailedCheckpoints', (reason) => {
    // Act
    const result = countFailure(1, reason, 5);

    // Assess
    expect(result).toEqual({ count: 1 });
  });

  it('ignores exactly the reasons Flink ignores: subsumed, refused triggers, job failures', () => {
    expect(IGNORED).toEqual(
      expect.arrayContaining(['CHECKPOINT_SUBSUMED', 'MINIMUM_TIME_BETWEEN_CHECKPOINTS', 'JOB_FAILURE']),
    );
    expect(IGNORED).toHaveLength(9);
  });

  it('an expired checkpoint counts toward tolerableFailedCheckpoints, a subsumed one does not', () => {
    // Act
    const afterExpired = countFailure(0, 'CHECKPOINT_EXPIRED', 3);
    const afterSubsumed = countFailure(afterExpired.count, 'CHECKPOINT_SUBSUMED', 3);

    // Assess
    expect([afterExpired.count, afterSubsumed.count]).toEqual([1, 1]);
  });

  it('with tolerableFailedCheckpoints 0, the first counted failure fails the job', () => {
    // Act
    const result = countFailure(0, 'CHECKPOINT_DECLINED', 0);

    // Assess
    expect(result.failJob).toContain(EXCEEDED_CHECKPOINT_TOLERABLE_FAILURE_MESSAGE);
    expect(result.failJob).toContain('tolerableFailedCheckpoints = 0');
  });

  it.each([
    [0, 2, undefined],
    [1, 2, undefined],
    [2, 2, 'fails'],
  ])('with %i failures counted and tolerable %i, one more fails the job: %s', (count, tolerable, fails) => {
    // Act
    const result = countFailure(count, 'CHECKPOINT_EXPIRED', tolerable);

    // Assess
    expect(result.failJob !== undefined).toBe(fails !== undefined);
  });

  it('clears the counter when it fails the job, so the restarted job starts from zero (Flink clearCount)', () => {
    // Act
    const result = countFailure(2, 'CHECKPOINT_EXPIRED', 2);

    // Assess
    expect(result.count).toBe(0);
  });

  it('does not count a failed savepoint: a manual action a failover would not help', () => {
    // Act
    const result = countFailure(0, 'CHECKPOINT_EXPIRED', 0, 'SAVEPOINT');

    // Assess
    expect(result).toEqual({ count: 0 });
  });

  it('with unlimited tolerable failures (FLINK_UNLIMITED) nothing is counted', () => {
    // Act
    const result = countFailure(FLINK_UNLIMITED, 'CHECKPOINT_EXPIRED', FLINK_UNLIMITED);

    // Assess
    expect(result).toEqual({ count: FLINK_UNLIMITED });
  });

  it('a completion resets the counter', () => {
    expect(onCompletionReset()).toBe(0);
  });
});
