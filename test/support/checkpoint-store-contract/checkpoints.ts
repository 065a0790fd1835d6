import { beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError, NotFoundError } from '../../../core/errors/index.js';
import type { CheckpointStore } from '../../../core/ports/index.js';
import { aCheckpoint, aCursor, aJob, anAck, JOB, rejectionOf, shardId } from '../checkpoint-fixtures.js';

export function checkpointContract(store: () => CheckpointStore): void {
  describe('checkpoints', () => {
    // Periodic checkpoints live in their job's ledger (META): the job comes first, as in production.
    beforeEach(async () => {
      await store().createJob(aJob());
    });

    it('getCheckpoint returns what createCheckpoint stored, optional fields included', async () => {
      // Prepare
      const record = aCheckpoint(3, {
        kind: 'SAVEPOINT',
        failureReason: 'x',
        totalSizeBytes: 10,
        completedAtMs: 9,
      });

      // Act
      await store().createCheckpoint(JOB, record);

      // Assess
      expect(await store().getCheckpoint(JOB, 3)).toEqual(record);
      expect(await store().getCheckpoint(JOB, 4)).toBeUndefined();
    });

    it('a second createCheckpoint with the same id fails with ConditionFailedError and keeps the first', async () => {
      // Prepare
      await store().createCheckpoint(JOB, aCheckpoint(1));

      // Act
      const error = await rejectionOf(store().createCheckpoint(JOB, aCheckpoint(1, { kind: 'SAVEPOINT' })));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect(await store().getCheckpoint(JOB, 1)).toEqual(aCheckpoint(1));
    });

    it('transitionCheckpoint from the current status sets the given fields and returns the record', async () => {
      // Prepare
      await store().createCheckpoint(JOB, aCheckpoint(2));

      // Act
      const completed = await store().transitionCheckpoint(JOB, 2, 'PENDING', {
        status: 'COMPLETED',
        completedAtMs: 5_000,
        totalSizeBytes: 123,
      });

      // Assess
      const expected = { ...aCheckpoint(2), status: 'COMPLETED', completedAtMs: 5_000, totalSizeBytes: 123 };
      expect(completed).toEqual(expected);
      expect(await store().getCheckpoint(JOB, 2)).toEqual(expected);
    });

    it('transitionCheckpoint from a status the checkpoint is not in fails and changes nothing', async () => {
      // Prepare
      await store().createCheckpoint(JOB, aCheckpoint(2, { status: 'ABORTED', failureReason: 'expired' }));

      // Act
      const error = await rejectionOf(
        store().transitionCheckpoint(JOB, 2, 'PENDING', { status: 'COMPLETED' }),
      );

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect((error as Error).message).toMatch(/PENDING.*ABORTED/);
      expect(await store().getCheckpoint(JOB, 2)).toEqual(
        aCheckpoint(2, { status: 'ABORTED', failureReason: 'expired' }),
      );
    });

    it('transitionCheckpoint of a missing checkpoint fails with NotFoundError', async () => {
      // Act
      const error = await rejectionOf(store().transitionCheckpoint(JOB, 9, 'PENDING', { status: 'ABORTED' }));

      // Assess
      expect(error).toBeInstanceOf(NotFoundError);
      expect(await store().getCheckpoint(JOB, 9)).toBeUndefined();
    });

    it('an abort keeps its Flink abortReason next to the failure text', async () => {
      // Prepare
      await store().createCheckpoint(JOB, aCheckpoint(1));

      // Act
      const aborted = await store().transitionCheckpoint(JOB, 1, 'PENDING', {
        status: 'ABORTED',
        failureReason: 'snapshot verification failed',
        abortReason: 'CHECKPOINT_DECLINED',
      });

      // Assess
      expect(aborted).toMatchObject({ status: 'ABORTED', abortReason: 'CHECKPOINT_DECLINED' });
      expect(await store().getCheckpoint(JOB, 1)).toMatchObject({ abortReason: 'CHECKPOINT_DECLINED' });
      expect((await store().listCheckpoints(JOB))[0]?.abortReason).toBe('CHECKPOINT_DECLINED');
    });

    it('of two concurrent transitions from PENDING exactly one wins', async () => {
      // Prepare
      await store().createCheckpoint(JOB, aCheckpoint(1));

      // Act
      const results = await Promise.allSettled([
        store().transitionCheckpoint(JOB, 1, 'PENDING', { status: 'COMPLETED', completedAtMs: 1 }),
        store().transitionCheckpoint(JOB, 1, 'PENDING', { status: 'ABORTED', failureReason: 'expired' }),
      ]);

      // Assess
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(ConditionFailedError);
      expect((await store().getCheckpoint(JOB, 1))?.status).toBe(won[0]?.value.status);
    });

    it('listCheckpoints returns only this job checkpoints, in id order, no acks or cursors', async () => {
      // Prepare
      for (const id of [10, 2, 1]) await store().createCheckpoint(JOB, aCheckpoint(id));
      await store().createCheckpoint(JOB, aCheckpoint(100, { kind: 'SAVEPOINT' }));
      await store().createJob(aJob({ jobId: 'job-b' }));
      await store().createCheckpoint('job-b', aCheckpoint(5));
      await store().putAck(JOB, anAck(2, shardId(0)));
      await store().createCursor(JOB, aCursor(shardId(0)));

      // Act
      const listed = await store().listCheckpoints(JOB);

      // Assess
      expect(listed.map((c) => c.checkpointId)).toEqual([1, 2, 10, 100]);
      expect(listed[0]).toEqual(aCheckpoint(1));
    });

    it('deleteCheckpoint removes the record and its acks, and nothing else', async () => {
      // Prepare
      await store().createCheckpoint(JOB, aCheckpoint(1));
      await store().createCheckpoint(JOB, aCheckpoint(2));
      await store().putAck(JOB, anAck(1, shardId(0)));
      await store().putAck(JOB, anAck(2, shardId(0)));

      // Act
      await store().deleteCheckpoint(JOB, 1);

      // Assess
      expect(await store().getCheckpoint(JOB, 1)).toBeUndefined();
      expect(await store().listAcks(JOB, 1)).toEqual([]);
      expect(await store().getCheckpoint(JOB, 2)).toEqual(aCheckpoint(2));
      expect(await store().listAcks(JOB, 2)).toEqual([anAck(2, shardId(0))]);
    });

    it('deleteCheckpoint of a checkpoint that is already gone succeeds (deletes are retried)', async () => {
      // Prepare
      await store().createCheckpoint(JOB, aCheckpoint(1));
      await store().deleteCheckpoint(JOB, 1);

      // Act
      await store().deleteCheckpoint(JOB, 1);

      // Assess
      expect(await store().listCheckpoints(JOB)).toEqual([]);
    });
  });
}
