import { describe, expect, it } from 'vitest';
import { BadInputError, ConditionFailedError, NotFoundError } from '../../../core/errors/index.js';
import type { CheckpointStore } from '../../../core/ports/index.js';
import { aJob, JOB, rejectionOf } from '../checkpoint-fixtures.js';

export function jobContract(store: () => CheckpointStore): void {
  describe('job META', () => {
    it('getJob returns what createJob stored, optional fields included', async () => {
      // Prepare
      const job = aJob({ latestCheckpointId: 3, lastCheckpointId: 4, statusReason: 'restored' });

      // Act
      await store().createJob(job);
      const found = await store().getJob(JOB);

      // Assess
      expect(found).toEqual(job);
    });

    it('getJob of an unknown job is undefined', async () => {
      // Act
      const found = await store().getJob('nobody');

      // Assess
      expect(found).toBeUndefined();
    });

    it('a second createJob fails with ConditionFailedError and keeps the first', async () => {
      // Prepare
      await store().createJob(aJob({ generation: 1 }));

      // Act
      const error = await rejectionOf(store().createJob(aJob({ generation: 7 })));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect((error as Error).message).toContain('createJob');
      expect((await store().getJob(JOB))?.generation).toBe(1);
    });

    it('updateJob at the current version writes version + 1 and returns the stored job', async () => {
      // Prepare
      await store().createJob(aJob({ version: 4 }));
      const { version: _, ...next } = aJob({
        generation: 2,
        status: 'FAILED',
        statusReason: 'too many failures',
      });

      // Act
      const updated = await store().updateJob(JOB, 4, next);

      // Assess
      expect(updated).toEqual({ ...next, version: 5 });
      expect(await store().getJob(JOB)).toEqual(updated);
    });

    it('updateJob with a stale version fails with ConditionFailedError and changes nothing', async () => {
      // Prepare
      await store().createJob(aJob({ version: 4 }));
      const { version: _, ...next } = aJob({ generation: 9 });

      // Act
      const error = await rejectionOf(store().updateJob(JOB, 3, next));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect((error as Error).message).toMatch(/version 3.*version 4/);
      expect(await store().getJob(JOB)).toEqual(aJob({ version: 4 }));
    });

    it('updateJob of a missing job fails with NotFoundError', async () => {
      // Prepare
      const { version: _, ...next } = aJob();

      // Act
      const error = await rejectionOf(store().updateJob(JOB, 1, next));

      // Assess
      expect(error).toBeInstanceOf(NotFoundError);
    });

    it('updateJob never moves the checkpoint id counter back (allocations after the read survive)', async () => {
      // Prepare
      await store().createJob(aJob({ lastCheckpointId: 0 }));
      const read = (await store().getJob(JOB))!;
      await store().allocateCheckpointId(JOB);
      await store().allocateCheckpointId(JOB);
      const { version, ...next } = read;

      // Act
      const updated = await store().updateJob(JOB, version, { ...next, lastCheckpointId: 0 });
      const allocated = await store().allocateCheckpointId(JOB);

      // Assess
      expect(updated.lastCheckpointId).toBe(2);
      expect(allocated).toBe(3);
    });

    it('updateJob (a restore) may move the latest pointer back and removes absent optional fields', async () => {
      // Prepare
      await store().createJob(aJob({ latestCheckpointId: 9, statusReason: 'x' }));
      const { version: _, statusReason: __, ...next } = aJob({ latestCheckpointId: 4, generation: 2 });

      // Act
      const updated = await store().updateJob(JOB, 1, next);

      // Assess
      expect(updated.latestCheckpointId).toBe(4);
      expect(updated).not.toHaveProperty('statusReason');
      expect(await store().getJob(JOB)).toEqual(updated);
    });

    it('updateJob refuses a job whose jobId differs from the one addressed, changing nothing', async () => {
      // Prepare
      await store().createJob(aJob());
      const { version: _, ...next } = aJob({ jobId: 'other', generation: 5 });

      // Act
      const error = await rejectionOf(store().updateJob(JOB, 1, next));

      // Assess
      expect(error).toBeInstanceOf(BadInputError);
      expect(await store().getJob(JOB)).toEqual(aJob());
    });

    it('allocateCheckpointId counts up from lastCheckpointId without touching the version', async () => {
      // Prepare
      await store().createJob(aJob({ lastCheckpointId: 41, version: 3 }));

      // Act
      const ids = [await store().allocateCheckpointId(JOB), await store().allocateCheckpointId(JOB)];

      // Assess
      expect(ids).toEqual([42, 43]);
      expect(await store().getJob(JOB)).toMatchObject({ lastCheckpointId: 43, version: 3 });
    });

    it('20 concurrent allocateCheckpointId calls hand out 20 distinct consecutive ids', async () => {
      // Prepare
      await store().createJob(aJob({ lastCheckpointId: 0 }));

      // Act
      const ids = await Promise.all(Array.from({ length: 20 }, () => store().allocateCheckpointId(JOB)));

      // Assess
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await store().getJob(JOB))?.lastCheckpointId).toBe(20);
    });

    it('allocateCheckpointId with the expected last id hands out the next one', async () => {
      // Prepare
      await store().createJob(aJob({ lastCheckpointId: 7, version: 2 }));

      // Act
      const id = await store().allocateCheckpointId(JOB, 7);

      // Assess
      expect(id).toBe(8);
      expect(await store().getJob(JOB)).toMatchObject({ lastCheckpointId: 8, version: 2 });
    });

    it('allocateCheckpointId refuses with ConditionFailedError when the counter moved, changing nothing', async () => {
      // Prepare: someone else triggered after our view was taken at 7
      await store().createJob(aJob({ lastCheckpointId: 7 }));
      await store().allocateCheckpointId(JOB);

      // Act
      const error = await rejectionOf(store().allocateCheckpointId(JOB, 7));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect((error as Error).message).toContain('allocateCheckpointId');
      expect((error as Error).message).toContain('counter');
      expect((await store().getJob(JOB))?.lastCheckpointId).toBe(8);
    });

    it('of two conditional allocations on the same view, exactly one succeeds', async () => {
      // Prepare
      await store().createJob(aJob({ lastCheckpointId: 3 }));

      // Act
      const results = await Promise.allSettled([
        store().allocateCheckpointId(JOB, 3),
        store().allocateCheckpointId(JOB, 3),
      ]);

      // Assess
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won.map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual([4]);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(ConditionFailedError);
      expect((await store().getJob(JOB))?.lastCheckpointId).toBe(4);
    });

    it('conditional allocateCheckpointId of a missing job fails with NotFoundError', async () => {
      // Act
      const error = await rejectionOf(store().allocateCheckpointId('nobody', 0));

      // Assess
      expect(error).toBeInstanceOf(NotFoundError);
    });

    it('allocateCheckpointId of a missing job fails with NotFoundError', async () => {
      // Act
      const error = await rejectionOf(store().allocateCheckpointId('nobody'));

      // Assess
      expect(error).toBeInstanceOf(NotFoundError);
    });

    it('advanceLatestCheckpoint moves the pointer forward and bumps the version', async () => {
      // Prepare
      await store().createJob(aJob({ version: 2 }));

      // Act
      await store().advanceLatestCheckpoint(JOB, 5);

      // Assess
      expect(await store().getJob(JOB)).toMatchObject({ latestCheckpointId: 5, version: 3 });
    });

    it('advanceLatestCheckpoint never moves the pointer back and an older id is no error', async () => {
      // Prepare
      await store().createJob(aJob({ latestCheckpointId: 8, version: 2 }));

      // Act
      await store().advanceLatestCheckpoint(JOB, 3);
      await store().advanceLatestCheckpoint(JOB, 8);

      // Assess
      expect(await store().getJob(JOB)).toMatchObject({ latestCheckpointId: 8, version: 2 });
    });

    it('concurrent advanceLatestCheckpoint calls in any order leave the highest id', async () => {
      // Prepare
      await store().createJob(aJob());
      const ids = [7, 2, 9, 4, 1, 8, 3, 6, 5];

      // Act
      await Promise.all(ids.map((id) => store().advanceLatestCheckpoint(JOB, id)));

      // Assess
      expect((await store().getJob(JOB))?.latestCheckpointId).toBe(9);
    });

    it('advanceLatestCheckpoint fences an updateJob prepared before the pointer moved', async () => {
      // Prepare
      await store().createJob(aJob({ latestCheckpointId: 1 }));
      const { version, ...stale } = (await store().getJob(JOB))!;
      await store().advanceLatestCheckpoint(JOB, 2);

      // Act
      const error = await rejectionOf(store().updateJob(JOB, version, { ...stale, status: 'FAILED' }));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect((await store().getJob(JOB))?.latestCheckpointId).toBe(2);
    });

    it('advanceLatestCheckpoint of a missing job fails with ConditionFailedError', async () => {
      // Act
      const error = await rejectionOf(store().advanceLatestCheckpoint('nobody', 1));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect(await store().getJob('nobody')).toBeUndefined();
    });

    it.each([-1, 1.5, Number.NaN, 10 ** 12])('checkpoint id %s is refused with BadInputError', async (id) => {
      // Prepare
      await store().createJob(aJob({ latestCheckpointId: 1 }));

      // Act
      const error = await rejectionOf(store().advanceLatestCheckpoint(JOB, id));

      // Assess
      expect(error).toBeInstanceOf(BadInputError);
      expect((await store().getJob(JOB))?.latestCheckpointId).toBe(1);
    });
  });
}
