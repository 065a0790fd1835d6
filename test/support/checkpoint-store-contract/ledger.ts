import { beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError, NotFoundError } from '../../../core/errors/index.js';
import { ACK_SLOTS, type CheckpointStore } from '../../../core/ports/index.js';
import { aCheckpoint, aJob, anAck, JOB, rejectionOf, shardId } from '../checkpoint-fixtures.js';

/** The coordinator's state as one item (commitLedger) and the ack slots of periodic checkpoints. */
export function ledgerContract(store: () => CheckpointStore): void {
  describe('ledger', () => {
    beforeEach(async () => {
      await store().createJob(aJob());
    });

    it('commitLedger completes one checkpoint, subsumes another, triggers a third and moves the pointer in one write', async () => {
      // Prepare
      await store().createCheckpoint(JOB, aCheckpoint(1, { status: 'COMPLETED', completedAtMs: 10 }));
      await store().createCheckpoint(JOB, aCheckpoint(2));
      const base = (await store().readLedger(JOB))!;

      // Act
      const next = await store().commitLedger(JOB, base, {
        put: [
          { ...aCheckpoint(2), status: 'COMPLETED', completedAtMs: 20 },
          aCheckpoint(3, { triggerTimeMs: 20 }),
        ],
        remove: [1],
        lastCheckpointId: 3,
        latestCheckpointId: 2,
      });

      // Assess
      expect(next.job.version).toBe(base.job.version + 1);
      expect(await store().readLedger(JOB)).toEqual(next);
      expect((await store().listCheckpoints(JOB)).map((c) => [c.checkpointId, c.status])).toEqual([
        [2, 'COMPLETED'],
        [3, 'PENDING'],
      ]);
      const job = await store().getJob(JOB);
      expect([job?.lastCheckpointId, job?.latestCheckpointId]).toEqual([3, 2]);
    });

    it('commitLedger on a stale version fails with ConditionFailedError and changes nothing', async () => {
      // Prepare
      const base = (await store().readLedger(JOB))!;
      await store().createCheckpoint(JOB, aCheckpoint(1));

      // Act
      const error = await rejectionOf(store().commitLedger(JOB, base, { put: [aCheckpoint(9)] }));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect((await store().listCheckpoints(JOB)).map((c) => c.checkpointId)).toEqual([1]);
    });

    it('commitLedger refuses a counter that does not move forward, even when a savepoint moved it without a version bump', async () => {
      // Prepare
      const base = (await store().readLedger(JOB))!;
      await store().allocateCheckpointId(JOB); // a savepoint's trigger: the counter is now 1

      // Act
      const error = await rejectionOf(
        store().commitLedger(JOB, base, { put: [aCheckpoint(1)], lastCheckpointId: 1 }),
      );

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect(await store().listCheckpoints(JOB)).toEqual([]);
      expect((await store().getJob(JOB))?.lastCheckpointId).toBe(1);
    });

    it('commitLedger refuses a savepoint record: savepoints keep their own items', async () => {
      // Prepare
      const base = (await store().readLedger(JOB))!;

      // Act
      const error = await rejectionOf(
        store().commitLedger(JOB, base, { put: [aCheckpoint(1, { kind: 'SAVEPOINT' })] }),
      );

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect(await store().listCheckpoints(JOB)).toEqual([]);
    });

    it('updateJob keeps the ledger', async () => {
      // Prepare
      await store().createCheckpoint(JOB, aCheckpoint(1));
      const job = (await store().getJob(JOB))!;

      // Act
      await store().updateJob(JOB, job.version, { ...job, status: 'CANCELED' });

      // Assess
      expect(await store().getCheckpoint(JOB, 1)).toEqual(aCheckpoint(1));
    });

    it('a periodic checkpoint of a job that does not exist is refused with NotFoundError', async () => {
      // Act
      const error = await rejectionOf(store().createCheckpoint('job-none', aCheckpoint(1)));

      // Assess
      expect(error).toBeInstanceOf(NotFoundError);
    });

    it('a savepoint cannot take the id of a periodic checkpoint', async () => {
      // Prepare
      await store().createCheckpoint(JOB, aCheckpoint(4));

      // Act
      const error = await rejectionOf(store().createCheckpoint(JOB, aCheckpoint(4, { kind: 'SAVEPOINT' })));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect(await store().getCheckpoint(JOB, 4)).toEqual(aCheckpoint(4));
    });
  });

  describe('ack slots', () => {
    const later = 3 + ACK_SLOTS;

    it('the ack of a later checkpoint overwrites the slot; the earlier one is gone', async () => {
      // Prepare
      await store().putAck(JOB, anAck(3, shardId(0)));

      // Act
      await store().putAck(JOB, anAck(later, shardId(0)));

      // Assess
      expect(await store().getAck(JOB, 3, shardId(0))).toBeUndefined();
      expect(await store().listAcks(JOB, 3)).toEqual([]);
      expect(await store().listAcks(JOB, later)).toEqual([anAck(later, shardId(0))]);
    });

    it('a late ack of an earlier checkpoint never overwrites a later one (ConditionFailedError)', async () => {
      // Prepare
      await store().putAck(JOB, anAck(later, shardId(0)));

      // Act
      const error = await rejectionOf(store().putAck(JOB, anAck(3, shardId(0))));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect(await store().getAck(JOB, later, shardId(0))).toEqual(anAck(later, shardId(0)));
    });

    it('listAcks and deleteAcks of a slot see only their own checkpoint', async () => {
      // Prepare: shard 0 moved on to the later checkpoint, shard 1 still holds the earlier one
      await store().putAck(JOB, anAck(3, shardId(1)));
      await store().putAck(JOB, anAck(later, shardId(0)));

      // Act
      await store().deleteAcks(JOB, 3);

      // Assess
      expect(await store().listAcks(JOB, 3)).toEqual([]);
      expect(await store().listAcks(JOB, later)).toEqual([anAck(later, shardId(0))]);
    });

    it('savepoint acks keep their own items: a checkpoint in the same slot does not touch them', async () => {
      // Prepare
      const savepointAck = anAck(3, shardId(0), { kind: 'SAVEPOINT' });
      await store().putAck(JOB, savepointAck);

      // Act
      await store().putAck(JOB, anAck(later, shardId(0)));

      // Assess
      expect(await store().listAcks(JOB, 3, 'SAVEPOINT')).toEqual([savepointAck]);
      expect(await store().getAck(JOB, 3, shardId(0), 'SAVEPOINT')).toEqual(savepointAck);
      expect(await store().listAcks(JOB, 3, 'CHECKPOINT')).toEqual([]);
      // Without a kind, a savepoint's acks are found where the slot has none of this id.
      expect(await store().listAcks(JOB, 3)).toEqual([savepointAck]);
    });
  });
}
