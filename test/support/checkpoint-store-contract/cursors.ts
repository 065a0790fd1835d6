import { describe, expect, it } from 'vitest';
import { BadInputError, ConditionFailedError, NotFoundError } from '../../../core/errors/index.js';
import type { CheckpointStore, CursorCommit } from '../../../core/ports/index.js';
import { aCheckpoint, aCursor, aJob, anAck, JOB, rejectionOf, shardId } from '../checkpoint-fixtures.js';

const SHARD = shardId(0);
const commit = (lastSequenceNumber: string, owner = 'container-1'): CursorCommit => ({
  lastSequenceNumber,
  owner,
  updatedAtMs: 2_000 + Number(lastSequenceNumber),
});

export function cursorContract(store: () => CheckpointStore): void {
  describe('cursors', () => {
    it('getCursor returns what createCursor stored, without absent optional fields', async () => {
      // Prepare
      const cursor = aCursor(SHARD);

      // Act
      await store().createCursor(JOB, cursor);
      const found = await store().getCursor(JOB, SHARD);

      // Assess
      expect(found).toEqual(cursor);
      expect(found).not.toHaveProperty('owner');
      expect(await store().getCursor(JOB, shardId(1))).toBeUndefined();
    });

    it('a second createCursor fails with ConditionFailedError and keeps the first', async () => {
      // Prepare
      await store().createCursor(JOB, aCursor(SHARD, { version: 1 }));

      // Act
      const error = await rejectionOf(store().createCursor(JOB, aCursor(SHARD, { version: 5 })));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect((await store().getCursor(JOB, SHARD))?.version).toBe(1);
    });

    it('commitCursor at the current version returns version + 1 and keeps generation and origin', async () => {
      // Prepare
      await store().createCursor(JOB, aCursor(SHARD, { version: 3, generation: 2 }));

      // Act
      const version = await store().commitCursor(JOB, SHARD, 3, commit('17'));

      // Assess
      expect(version).toBe(4);
      expect(await store().getCursor(JOB, SHARD)).toEqual({
        ...aCursor(SHARD, { generation: 2 }),
        ...commit('17'),
        version: 4,
      });
    });

    it('commitCursor with a stale version is fenced (ConditionFailedError) and changes nothing', async () => {
      // Prepare
      await store().createCursor(JOB, aCursor(SHARD, { version: 1 }));
      await store().commitCursor(JOB, SHARD, 1, commit('10', 'container-new'));

      // Act
      const error = await rejectionOf(store().commitCursor(JOB, SHARD, 1, commit('11', 'container-old')));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect((error as Error).message).toContain('fenced');
      expect(await store().getCursor(JOB, SHARD)).toMatchObject({ version: 2, lastSequenceNumber: '10' });
    });

    it('commitCursor of a missing cursor fails with NotFoundError', async () => {
      // Act
      const error = await rejectionOf(store().commitCursor(JOB, SHARD, 1, commit('1')));

      // Assess
      expect(error).toBeInstanceOf(NotFoundError);
      expect(await store().getCursor(JOB, SHARD)).toBeUndefined();
    });

    it('of two concurrent commits at the same version exactly one wins', async () => {
      // Prepare
      await store().createCursor(JOB, aCursor(SHARD, { version: 1 }));

      // Act
      const results = await Promise.allSettled([
        store().commitCursor(JOB, SHARD, 1, commit('5', 'a')),
        store().commitCursor(JOB, SHARD, 1, commit('6', 'b')),
      ]);

      // Assess
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(ConditionFailedError);
      expect((await store().getCursor(JOB, SHARD))?.version).toBe(2);
    });

    it('replaceCursor at the current version overwrites the cursor and fences the old version', async () => {
      // Prepare
      await store().createCursor(JOB, aCursor(SHARD, { version: 4 }));
      const restored = aCursor(SHARD, {
        version: 5,
        generation: 2,
        lastSequenceNumber: '3',
        owner: 'restore',
      });

      // Act
      await store().replaceCursor(JOB, 4, restored);
      const error = await rejectionOf(store().commitCursor(JOB, SHARD, 4, commit('9')));

      // Assess
      expect(await store().getCursor(JOB, SHARD)).toEqual(restored);
      expect(error).toBeInstanceOf(ConditionFailedError);
    });

    it('replaceCursor with a stale version fails with ConditionFailedError and changes nothing', async () => {
      // Prepare
      await store().createCursor(JOB, aCursor(SHARD, { version: 4 }));

      // Act
      const error = await rejectionOf(store().replaceCursor(JOB, 3, aCursor(SHARD, { version: 9 })));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect(await store().getCursor(JOB, SHARD)).toEqual(aCursor(SHARD, { version: 4 }));
    });

    it('replaceCursor of a missing cursor fails with NotFoundError and creates nothing', async () => {
      // Act
      const error = await rejectionOf(store().replaceCursor(JOB, 1, aCursor(SHARD, { version: 2 })));

      // Assess
      expect(error).toBeInstanceOf(NotFoundError);
      expect(await store().getCursor(JOB, SHARD)).toBeUndefined();
    });

    it('replaceCursor refuses a new version that would not fence the old one (BadInputError)', async () => {
      // Prepare
      await store().createCursor(JOB, aCursor(SHARD, { version: 4 }));

      // Act
      const error = await rejectionOf(
        store().replaceCursor(JOB, 4, aCursor(SHARD, { version: 4, owner: 'x' })),
      );

      // Assess
      expect(error).toBeInstanceOf(BadInputError);
      expect(await store().getCursor(JOB, SHARD)).toEqual(aCursor(SHARD, { version: 4 }));
    });

    it('listCursors returns every cursor of the job in shard order and nothing else', async () => {
      // Prepare
      for (const i of [2, 0, 1]) await store().createCursor(JOB, aCursor(shardId(i)));
      await store().createCursor('job-b', aCursor(shardId(5)));
      await store().createJob(aJob());
      await store().createCheckpoint(JOB, aCheckpoint(1));
      await store().putAck(JOB, anAck(1, shardId(0)));

      // Act
      const listed = await store().listCursors(JOB);

      // Assess
      expect(listed).toEqual([aCursor(shardId(0)), aCursor(shardId(1)), aCursor(shardId(2))]);
    });
  });
}
