import { describe, expect, it } from 'vitest';
import { abortedRecordsToKeep, deriveCoordinatorState } from '../../../core/checkpoint/coordinator-state.js';
import { FLINK_UNLIMITED } from '../../../core/config/check.js';
import { aCheckpoint } from '../../support/checkpoint-fixtures.js';

const expired = { status: 'ABORTED', abortReason: 'CHECKPOINT_EXPIRED' } as const;

describe('deriveCoordinatorState', () => {
  it('takes the last trigger from the newest periodic checkpoint, not from savepoints', () => {
    // Prepare
    const records = [
      aCheckpoint(1, { status: 'COMPLETED', triggerTimeMs: 1_000, completedAtMs: 1_200 }),
      aCheckpoint(2, { triggerTimeMs: 2_000 }),
      aCheckpoint(3, { kind: 'SAVEPOINT', triggerTimeMs: 3_000 }),
    ];

    // Act
    const state = deriveCoordinatorState(records, 1, 0);

    // Assess
    expect(state.lastTriggerTimeMs).toBe(2_000);
    expect(state.highestCheckpointId).toBe(3);
  });

  it('takes the last completion from the newest completedAtMs, savepoints included (the min pause counts from any completion)', () => {
    // Prepare
    const records = [
      aCheckpoint(1, { status: 'COMPLETED', completedAtMs: 5_000 }),
      aCheckpoint(2, { kind: 'SAVEPOINT', status: 'COMPLETED', completedAtMs: 7_000 }),
      aCheckpoint(3, { status: 'PENDING' }),
    ];

    // Act
    const state = deriveCoordinatorState(records, 1, 0);

    // Assess
    expect(state.lastCompletionTimeMs).toBe(7_000);
  });

  it('counts only counting aborts of checkpoints newer than the newest completion, in the current generation', () => {
    // Prepare
    const records = [
      aCheckpoint(1, expired), // before the completion: reset by it
      aCheckpoint(2, { status: 'COMPLETED', completedAtMs: 1 }),
      aCheckpoint(3, expired),
      aCheckpoint(4, { status: 'ABORTED', abortReason: 'CHECKPOINT_SUBSUMED' }), // does not count
      aCheckpoint(5, { status: 'ABORTED', abortReason: 'CHECKPOINT_DECLINED' }),
      aCheckpoint(6, { ...expired, kind: 'SAVEPOINT' }), // savepoints never count
      aCheckpoint(7, { status: 'ABORTED', failureReason: 'free text, no code' }), // unknown reason
      aCheckpoint(8, { ...expired, generation: 0 }), // before a restore
    ];

    // Act
    const state = deriveCoordinatorState(records, 1, 5);

    // Assess
    expect(state.continuousFailureCount).toBe(2);
  });

  it('counts nothing with an unlimited tolerance, as Flink does', () => {
    // Act
    const state = deriveCoordinatorState([aCheckpoint(1, expired)], 1, FLINK_UNLIMITED);

    // Assess
    expect(state.continuousFailureCount).toBe(0);
  });

  it('leaves times undefined and the highest id 0 without records', () => {
    // Act
    const state = deriveCoordinatorState([], 1, 0);

    // Assess
    expect(state).toEqual({ continuousFailureCount: 0, highestCheckpointId: 0 });
  });
});

describe('abortedRecordsToKeep', () => {
  it('keeps at least as many aborted records as the failure counter can need', () => {
    // Act / Assess
    expect(abortedRecordsToKeep(10, 3)).toBe(10);
    expect(abortedRecordsToKeep(10, 25)).toBe(25);
    expect(abortedRecordsToKeep(10, FLINK_UNLIMITED)).toBe(10);
  });
});
