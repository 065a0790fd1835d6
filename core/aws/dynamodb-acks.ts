import { isDeepStrictEqual } from 'node:util';
import { ConditionFailedError } from '../errors/index.js';
import type { CheckpointKind, ShardAck } from '../ports/index.js';
import { refusals } from './checkpoint-store-errors.js';
import * as items from './dynamodb-items.js';
import * as keys from './dynamodb-keys.js';
import type { CheckpointTable } from './dynamodb-table.js';

/**
 * The ack items of the checkpoint table: a periodic checkpoint's in its slot
 * (id mod ACK_SLOTS, overwritten by later checkpoints, filtered by id on read),
 * a savepoint's under its own id. Part of DynamoCheckpointStore.
 */
export class DynamoAcks {
  constructor(private readonly table: CheckpointTable) {}

  /** Put if the slot is free or holds an older checkpoint's ack (a savepoint's: if absent). */
  async put(jobId: string, ack: ShardAck): Promise<void> {
    keys.assertJobId(jobId);
    keys.assertAck(ack);
    const item = items.ackToItem(jobId, ack);
    const key = { pk: item.pk!.S!, sk: item.sk!.S! };
    const op = 'putAck';
    await this.table.conditional(
      op,
      () =>
        this.table.put(
          item,
          'attribute_not_exists(#pk) OR #checkpointId < :id',
          {
            '#pk': 'pk',
            '#checkpointId': 'checkpointId',
          },
          { ':id': { N: String(ack.checkpointId) } },
        ),
      async (ambiguous) => {
        const stored = await this.table.get(op, key);
        if (!stored)
          throw new ConditionFailedError(
            `${op}: expected ${key.sk} of ${key.pk} to be absent, found it present`,
          );
        const found = items.itemToAck(stored);
        if (ambiguous && isDeepStrictEqual(found, items.itemToAck(item))) return;
        if (found.checkpointId > ack.checkpointId) {
          throw refusals.slotTaken(jobId, ack.checkpointId, ack.shardId, found.checkpointId);
        }
        throw refusals.ackExists(jobId, ack.checkpointId, ack.shardId, found.sequenceNumber);
      },
    );
  }

  /** Without a kind: the slot first, then a savepoint's own item. */
  async get(
    jobId: string,
    checkpointId: number,
    shardId: string,
    kind?: CheckpointKind,
  ): Promise<ShardAck | undefined> {
    keys.assertJobId(jobId);
    keys.assertCheckpointId(checkpointId);
    keys.assertShardId(shardId);
    const at = async (k: CheckpointKind) => {
      const item = await this.table.get('getAck', keys.ackKey(jobId, checkpointId, shardId, k));
      const found = item && items.itemToAck(item);
      return found?.checkpointId === checkpointId ? found : undefined;
    };
    return kind === undefined ? ((await at('CHECKPOINT')) ?? (await at('SAVEPOINT'))) : at(kind);
  }

  async list(jobId: string, checkpointId: number, kind?: CheckpointKind): Promise<ShardAck[]> {
    keys.assertJobId(jobId);
    keys.assertCheckpointId(checkpointId);
    const found = await this.ackItems('listAcks', jobId, checkpointId, kind);
    return found.map(items.itemToAck);
  }

  /** Absent acks are not an error: deletes are retried. A slot holding another checkpoint's ack is left alone. */
  async delete(jobId: string, checkpointId: number, kind?: CheckpointKind): Promise<void> {
    keys.assertJobId(jobId);
    keys.assertCheckpointId(checkpointId);
    const found = await this.ackItems('deleteAcks', jobId, checkpointId, kind);
    await this.table.deleteMany(
      'deleteAcks',
      found.map((item) => ({ pk: item.pk!, sk: item.sk! })),
    );
  }

  /** The ack items of one checkpoint; without a kind, the slot first, then a savepoint's own items. */
  private async ackItems(
    op: string,
    jobId: string,
    checkpointId: number,
    kind: CheckpointKind | undefined,
  ): Promise<items.Item[]> {
    const query = async (k: CheckpointKind) =>
      (await this.table.query(op, keys.jobPk(jobId), keys.ackPrefix(checkpointId, k))).filter(
        (item) => item.checkpointId?.N === String(checkpointId),
      );
    if (kind !== undefined) return query(kind);
    const inSlot = await query('CHECKPOINT');
    return inSlot.length > 0 ? inSlot : query('SAVEPOINT');
  }
}
