import { isDeepStrictEqual } from 'node:util';
import type { CursorCommit, ShardCursor } from '../ports/index.js';
import { refusals } from './checkpoint-store-errors.js';
import * as items from './dynamodb-items.js';
import * as keys from './dynamodb-keys.js';
import type { CheckpointTable } from './dynamodb-table.js';
import * as updates from './dynamodb-updates.js';

/** The shard cursors of the checkpoint table (versioned, fencing). Part of DynamoCheckpointStore. */
export class DynamoCursors {
  constructor(private readonly table: CheckpointTable) {}

  async create(jobId: string, cursor: ShardCursor): Promise<void> {
    keys.assertJobId(jobId);
    keys.assertCursor(cursor);
    await this.table.putIfAbsent(
      'createCursor',
      items.cursorToItem(jobId, cursor),
      items.itemToCursor,
      (found) => refusals.cursorExists(jobId, cursor.shardId, found.version),
    );
  }

  async get(jobId: string, shardId: string): Promise<ShardCursor | undefined> {
    keys.assertJobId(jobId);
    keys.assertShardId(shardId);
    const item = await this.table.get('getCursor', keys.cursorKey(jobId, shardId));
    return item && items.itemToCursor(item);
  }

  async commit(
    jobId: string,
    shardId: string,
    expectedVersion: number,
    commit: CursorCommit,
  ): Promise<number> {
    keys.assertJobId(jobId);
    keys.assertShardId(shardId);
    keys.assertVersion('expectedVersion', expectedVersion);
    const op = 'commitCursor';
    const key = keys.cursorKey(jobId, shardId);
    return this.table.conditional(
      op,
      async () => {
        await this.table.update(updates.commitUpdate(key, expectedVersion, commit));
        return expectedVersion + 1;
      },
      async (ambiguous) => {
        const found = await this.table.getOrThrow(op, key, items.itemToCursor, () =>
          refusals.cursorMissing(op, jobId, shardId),
        );
        const ours =
          found.version === expectedVersion + 1 &&
          found.lastSequenceNumber === commit.lastSequenceNumber &&
          found.owner === commit.owner &&
          found.updatedAtMs === commit.updatedAtMs;
        if (ambiguous && ours) return found.version;
        throw refusals.cursorFenced(op, jobId, shardId, expectedVersion, found);
      },
    );
  }

  /** The new cursor.version must exceed expectedVersion, so every holder of the old one is fenced. */
  async replace(jobId: string, expectedVersion: number, cursor: ShardCursor): Promise<void> {
    keys.assertJobId(jobId);
    keys.assertReplacementVersion(expectedVersion, cursor);
    const op = 'replaceCursor';
    const item = items.cursorToItem(jobId, cursor);
    const names = { '#version': 'version' };
    const values = { ':expected': { N: String(expectedVersion) } };
    await this.table.conditional(
      op,
      () => this.table.put(item, '#version = :expected', names, values),
      async (ambiguous) => {
        const notFound = () => refusals.cursorMissing(op, jobId, cursor.shardId);
        const found = await this.table.getOrThrow(
          op,
          keys.cursorKey(jobId, cursor.shardId),
          items.itemToCursor,
          notFound,
        );
        if (ambiguous && isDeepStrictEqual(found, items.itemToCursor(item))) return;
        throw refusals.cursorFenced(op, jobId, cursor.shardId, expectedVersion, found);
      },
    );
  }

  async list(jobId: string): Promise<ShardCursor[]> {
    keys.assertJobId(jobId);
    const found = await this.table.query('listCursors', keys.jobPk(jobId), keys.CURSOR_SK_PREFIX);
    return found.map(items.itemToCursor);
  }
}
