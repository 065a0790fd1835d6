import { describe, expect, it } from 'vitest';
import {
  ackToItem,
  checkpointToItem,
  cursorToItem,
  itemToAck,
  itemToJob,
  jobToItem,
} from '../../../core/aws/dynamodb-items.js';
import { ackPrefix } from '../../../core/aws/dynamodb-keys.js';
import { CheckpointError } from '../../../core/errors/index.js';
import {
  aCheckpoint,
  aCursor,
  aJob,
  anAck,
  anInlineAck,
  JOB,
  patternBytes,
  shardId,
} from '../../support/checkpoint-fixtures.js';

describe('checkpoint table item layout', () => {
  it('puts each kind of item under the keys documented in the CheckpointStore port', () => {
    // Act
    const keys = [
      jobToItem(aJob()),
      checkpointToItem(JOB, aCheckpoint(7)),
      ackToItem(JOB, anAck(7, shardId(1), { kind: 'SAVEPOINT' })),
      ackToItem(JOB, anAck(71, shardId(1))),
      cursorToItem(JOB, aCursor(shardId(1))),
    ].map((item) => `${item.pk?.S} ${item.sk?.S}`);

    // Assess: a periodic checkpoint's ack lives in slot id mod 64
    expect(keys).toEqual([
      'JOB#job-a META',
      'JOB#job-a CKPT#000000000007',
      `JOB#job-a ACK#000000000007#${shardId(1)}`,
      `JOB#job-a ACK#S007#${shardId(1)}`,
      `JOB#job-a SHARD#${shardId(1)}`,
    ]);
  });

  it('keeps the acks of checkpoint 1 apart from those of checkpoint 10 under begins_with', () => {
    // Act
    const savepoint = ackToItem(JOB, anAck(10, shardId(0), { kind: 'SAVEPOINT' })).sk?.S ?? '';
    const slot = ackToItem(JOB, anAck(10, shardId(0))).sk?.S ?? '';

    // Assess
    expect(savepoint.startsWith(ackPrefix(1, 'SAVEPOINT'))).toBe(false);
    expect(savepoint.startsWith(ackPrefix(10, 'SAVEPOINT'))).toBe(true);
    expect(slot.startsWith(ackPrefix(1))).toBe(false);
    expect(slot.startsWith(ackPrefix(10))).toBe(true);
  });

  it('stores an inline snapshot as a Binary attribute and a reference as a map', () => {
    // Prepare
    const bytes = patternBytes(16);

    // Act
    const inline = ackToItem(JOB, anInlineAck(1, shardId(0), bytes)).snapshot?.M;
    const ref = ackToItem(JOB, anAck(1, shardId(0))).snapshot?.M;

    // Assess
    expect(inline?.inline?.B).toEqual(bytes);
    expect(ref?.ref?.M?.key?.S).toBe(`chk-1/${shardId(0)}.snap`);
  });

  it('keeps sequence numbers beyond 2^53 exact, as strings', () => {
    // Prepare
    const ack = anAck(1, shardId(0), {
      sequenceNumber: '49590338271490256608559692538361571095921575989136588899',
    });

    // Act
    const back = itemToAck(ackToItem(JOB, ack));

    // Assess
    expect(back.sequenceNumber).toBe(ack.sequenceNumber);
  });

  it('refuses an item missing a required attribute with an error naming it', () => {
    // Prepare
    const { generation: _, ...item } = jobToItem(aJob());

    // Act
    const act = () => itemToJob(item);

    // Assess
    expect(act).toThrow(CheckpointError);
    expect(act).toThrow(/generation/);
  });
});
