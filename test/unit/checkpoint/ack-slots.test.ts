import { describe, expect, it } from 'vitest';
import { nextFreeCheckpointId } from '../../../core/checkpoint/ack-slots.js';
import { ACK_SLOTS } from '../../../core/ports/index.js';
import { aCheckpoint } from '../../support/checkpoint-fixtures.js';

describe('nextFreeCheckpointId (ack slots)', () => {
  it('takes the id after the counter when its slot is free', () => {
    expect(nextFreeCheckpointId(7, [aCheckpoint(7, { status: 'COMPLETED' })])).toBe(8);
  });

  it('skips an id whose slot a retained or pending checkpoint still uses', () => {
    // Act
    const id = nextFreeCheckpointId(ACK_SLOTS, [
      aCheckpoint(1, { status: 'COMPLETED' }),
      aCheckpoint(2, { status: 'PENDING' }),
      aCheckpoint(3, { status: 'ABORTED' }),
    ]);

    // Assess: ACK_SLOTS + 1 and + 2 share slots with 1 and 2; an aborted checkpoint holds none
    expect(id).toBe(ACK_SLOTS + 3);
  });

  it('gives no id when every slot is held', () => {
    const held = Array.from({ length: ACK_SLOTS }, (_, i) => aCheckpoint(i + 1, { status: 'COMPLETED' }));
    expect(nextFreeCheckpointId(ACK_SLOTS, held)).toBeUndefined();
  });
});
