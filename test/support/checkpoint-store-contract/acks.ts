import { describe, expect, it } from 'vitest';
import { MAX_INLINE_SNAPSHOT_BYTES } from '../../../core/aws/dynamodb-keys.js';
import { BadInputError, ConditionFailedError } from '../../../core/errors/index.js';
import type { CheckpointStore, InlineSnapshot } from '../../../core/ports/index.js';
import { anAck, anInlineAck, JOB, patternBytes, rejectionOf, shardId } from '../checkpoint-fixtures.js';

function inlineBytes(snapshot: unknown): Uint8Array {
  return (snapshot as InlineSnapshot).inline;
}

export function ackContract(store: () => CheckpointStore): void {
  describe('acks', () => {
    it('getAck returns what putAck stored with a snapshot reference', async () => {
      // Prepare
      const ack = anAck(1, shardId(3));

      // Act
      await store().putAck(JOB, ack);

      // Assess
      expect(await store().getAck(JOB, 1, shardId(3))).toEqual(ack);
      expect(await store().getAck(JOB, 1, shardId(4))).toBeUndefined();
    });

    it('an inline snapshot comes back as the same bytes in a plain Uint8Array', async () => {
      // Prepare
      const bytes = patternBytes(4_096, 1);

      // Act
      await store().putAck(JOB, anInlineAck(1, shardId(0), bytes));
      const found = await store().getAck(JOB, 1, shardId(0));

      // Assess
      const inline = inlineBytes(found?.snapshot);
      expect(Object.getPrototypeOf(inline)).toBe(Uint8Array.prototype);
      expect(Buffer.from(inline).equals(Buffer.from(bytes))).toBe(true);
      expect(found).toEqual(anInlineAck(1, shardId(0), bytes));
    });

    it('changing the bytes given to putAck or read from getAck does not change the stored ack', async () => {
      // Prepare
      const bytes = patternBytes(64);
      await store().putAck(JOB, anInlineAck(1, shardId(0), bytes));

      // Act
      bytes.fill(0);
      inlineBytes((await store().getAck(JOB, 1, shardId(0)))?.snapshot).fill(0);

      // Assess
      expect(inlineBytes((await store().getAck(JOB, 1, shardId(0)))?.snapshot)).toEqual(patternBytes(64));
    });

    it('a second ack of the same shard and checkpoint fails with ConditionFailedError and keeps the first', async () => {
      // Prepare
      await store().putAck(JOB, anAck(1, shardId(0), { sequenceNumber: '100' }));

      // Act
      const error = await rejectionOf(store().putAck(JOB, anAck(1, shardId(0), { sequenceNumber: '200' })));

      // Assess
      expect(error).toBeInstanceOf(ConditionFailedError);
      expect((error as Error).message).toContain('sequence number 100');
      expect((await store().getAck(JOB, 1, shardId(0)))?.sequenceNumber).toBe('100');
    });

    it('listAcks returns only the acks of that checkpoint, ordered by shard (1 is not a prefix of 10)', async () => {
      // Prepare
      for (const id of [1, 10, 100]) {
        for (const shard of [2, 0, 1]) await store().putAck(JOB, anAck(id, shardId(shard)));
      }
      await store().putAck('job-b', anAck(1, shardId(9)));

      // Act
      const listed = await store().listAcks(JOB, 1);

      // Assess
      expect(listed).toEqual([anAck(1, shardId(0)), anAck(1, shardId(1)), anAck(1, shardId(2))]);
    });

    it('listAcks returns every ack when they span several 1 MB query pages', async () => {
      // Prepare: 60 x 20 KB inline snapshots = 1.2 MB, more than one DynamoDB page
      const count = 60;
      const bytes = (i: number) => patternBytes(20 * 1024, i);
      await Promise.all(
        Array.from({ length: count }, (_, i) => store().putAck(JOB, anInlineAck(7, shardId(i), bytes(i)))),
      );

      // Act
      const listed = await store().listAcks(JOB, 7);

      // Assess
      expect(listed.map((a) => a.shardId)).toEqual(Array.from({ length: count }, (_, i) => shardId(i)));
      listed.forEach((ack, i) => {
        expect(Buffer.from(inlineBytes(ack.snapshot)).equals(Buffer.from(bytes(i)))).toBe(true);
      });
    });

    it('deleteAcks removes all of more than 25 acks of one checkpoint and none of another', async () => {
      // Prepare
      await Promise.all(Array.from({ length: 60 }, (_, i) => store().putAck(JOB, anAck(3, shardId(i)))));
      await store().putAck(JOB, anAck(4, shardId(0)));

      // Act
      await store().deleteAcks(JOB, 3);

      // Assess
      expect(await store().listAcks(JOB, 3)).toEqual([]);
      expect(await store().listAcks(JOB, 4)).toEqual([anAck(4, shardId(0))]);
    });

    it('deleteAcks of a checkpoint without acks succeeds', async () => {
      // Act
      await store().deleteAcks(JOB, 42);

      // Assess
      expect(await store().listAcks(JOB, 42)).toEqual([]);
    });

    it('an inline snapshot above the inline cap is refused with BadInputError and not stored', async () => {
      // Prepare
      const tooBig = anInlineAck(1, shardId(0), new Uint8Array(MAX_INLINE_SNAPSHOT_BYTES + 1));

      // Act
      const error = await rejectionOf(store().putAck(JOB, tooBig));

      // Assess
      expect(error).toBeInstanceOf(BadInputError);
      expect((error as Error).message).toContain('upload the snapshot');
      expect(await store().getAck(JOB, 1, shardId(0))).toBeUndefined();
    });

    it('an inline snapshot whose sizeBytes disagrees with its bytes is refused with BadInputError', async () => {
      // Prepare
      const ack = anInlineAck(1, shardId(0), patternBytes(10));
      const lying = { ...ack, snapshot: { ...ack.snapshot, sizeBytes: 11 } };

      // Act
      const error = await rejectionOf(store().putAck(JOB, lying));

      // Assess
      expect(error).toBeInstanceOf(BadInputError);
      expect(await store().getAck(JOB, 1, shardId(0))).toBeUndefined();
    });
  });
}
