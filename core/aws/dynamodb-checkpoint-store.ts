import { isDeepStrictEqual } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type LedgerDecision, updateLedger } from '../checkpoint/ledger-update.js';
import { NotFoundError } from '../errors/index.js';
import type {
  CheckpointKind,
  CheckpointRecord,
  CheckpointStatus,
  CheckpointStore,
  CursorCommit,
  JobLedger,
  JobMeta,
  LedgerChange,
  ShardAck,
  ShardCursor,
} from '../ports/index.js';
import { applyLedgerChange, findInLedger, ledgerCreate, ledgerTransition } from './checkpoint-ledger.js';
import { refusals } from './checkpoint-store-errors.js';
import { DynamoAcks } from './dynamodb-acks.js';
import { DynamoCursors } from './dynamodb-cursors.js';
import * as items from './dynamodb-items.js';
import * as keys from './dynamodb-keys.js';
import { CheckpointTable } from './dynamodb-table.js';
import * as updates from './dynamodb-updates.js';
import { type RetryOptions, retryPolicy, type Sleep } from './retry-policy.js';

export interface DynamoCheckpointStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Our retries on throttling and 5xx, above the SDK's own (defaults: 5 attempts, 100 ms, 5 s). */
  retry?: RetryOptions;
  /** Injected so tests control backoff without waiting. */
  sleep?: Sleep;
}

/**
 * CheckpointStore on one DynamoDB table (layout in core/ports/checkpoint-store.ts).
 *
 * Ambiguous writes: after a 5xx or timeout (ours or inside the SDK) a retried
 * conditional write may fail its condition because the earlier try was applied.
 * We then read the item back (strongly consistent) and report success if it holds
 * exactly what this call wrote: the whole item for createJob / createCheckpoint /
 * putAck / createCursor / replaceCursor; version + 1 and the written fields for
 * updateJob / commitCursor; the written fields for transitionCheckpoint. Anything
 * else is the real ConditionFailedError. An identical write by someone else cannot
 * be told apart, and is equally harmless. allocateCheckpointId is an ADD: an
 * ambiguous retry may skip an id, never repeat one.
 *
 * Missing items: a conditional update of an item that does not exist is a
 * NotFoundError (updateJob, allocateCheckpointId, transitionCheckpoint,
 * commitCursor, replaceCursor), except advanceLatestCheckpoint (see there).
 * All reads are strongly consistent: decisions are taken on them.
 */
export class DynamoCheckpointStore implements CheckpointStore {
  private readonly table: CheckpointTable;
  private readonly acks: DynamoAcks;
  private readonly cursors: DynamoCursors;

  constructor(options: DynamoCheckpointStoreOptions) {
    const policy = retryPolicy(options.retry, options.sleep);
    this.table = new CheckpointTable(options.client, options.tableName, policy);
    this.acks = new DynamoAcks(this.table);
    this.cursors = new DynamoCursors(this.table);
  }

  // --- job -------------------------------------------------------------

  async createJob(meta: JobMeta): Promise<void> {
    keys.assertJobId(meta.jobId);
    await this.table.putIfAbsent('createJob', items.jobToItem(meta), items.itemToJob, (found) =>
      refusals.jobExists(meta.jobId, found.version),
    );
  }

  async getJob(jobId: string): Promise<JobMeta | undefined> {
    keys.assertJobId(jobId);
    const item = await this.table.get('getJob', keys.metaKey(jobId));
    return item && items.itemToJob(item);
  }

  /** Writes every field but lastCheckpointId, which only allocateCheckpointId moves. */
  async updateJob(jobId: string, expectedVersion: number, next: Omit<JobMeta, 'version'>): Promise<JobMeta> {
    keys.assertJobId(jobId);
    keys.assertVersion('expectedVersion', expectedVersion);
    keys.assertSameJob(jobId, next.jobId);
    const op = 'updateJob';
    const key = keys.metaKey(jobId);
    return this.table.conditional(
      op,
      async () => items.itemToJob(await this.table.update(updates.jobUpdate(key, expectedVersion, next))),
      async (ambiguous) => {
        const found = await this.table.getOrThrow(op, key, items.itemToJob, () =>
          refusals.jobMissing(op, jobId),
        );
        const intended = { ...next, version: expectedVersion + 1, lastCheckpointId: found.lastCheckpointId };
        if (ambiguous && isDeepStrictEqual(found, items.itemToJob(items.jobToItem(intended)))) return found;
        throw refusals.jobVersion(jobId, expectedVersion, found.version);
      },
    );
  }

  /**
   * Unconditional: an ADD. Conditional on `expectedLastCheckpointId`: a failed
   * condition reads META to tell a missing job from a moved counter; after an
   * ambiguous try the id may be ours and unused, which is safe (ids skip, never repeat).
   */
  async allocateCheckpointId(jobId: string, expectedLastCheckpointId?: number): Promise<number> {
    keys.assertJobId(jobId);
    if (expectedLastCheckpointId !== undefined)
      keys.assertVersion('expectedLastCheckpointId', expectedLastCheckpointId);
    const op = 'allocateCheckpointId';
    const key = keys.metaKey(jobId);
    return this.table.conditional(
      op,
      async () =>
        Number(
          (await this.table.update(updates.allocateUpdate(key, expectedLastCheckpointId))).lastCheckpointId
            ?.N,
        ),
      async (ambiguous) => {
        if (expectedLastCheckpointId === undefined) throw refusals.jobMissing(op, jobId);
        const found = await this.table.getOrThrow(op, key, items.itemToJob, () =>
          refusals.jobMissing(op, jobId),
        );
        throw refusals.counterMoved(
          jobId,
          expectedLastCheckpointId,
          ambiguous ? undefined : found.lastCheckpointId,
        );
      },
    );
  }

  /**
   * Moves the pointer forward, never back (a restore moves it back with updateJob),
   * and bumps the job version so an updateJob prepared before the move is fenced.
   * When the condition fails we read META: a pointer already >= checkpointId means
   * there is nothing to do (success, also after an ambiguous retry); a missing job
   * is a ConditionFailedError; a pointer below checkpointId (a restore moved it
   * between our write and our read) makes us try again, at most maxAttempts times.
   */
  async advanceLatestCheckpoint(jobId: string, checkpointId: number): Promise<void> {
    keys.assertJobId(jobId);
    keys.assertCheckpointId(checkpointId);
    const op = 'advanceLatestCheckpoint';
    const key = keys.metaKey(jobId);
    const { maxAttempts } = this.table.policy;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const settled = await this.table.conditional(
        op,
        async () => {
          await this.table.update(updates.advanceUpdate(key, checkpointId));
          return true;
        },
        async () => {
          const found = await this.table.getOrThrow(op, key, items.itemToJob, () =>
            refusals.latestWithoutJob(jobId),
          );
          return (found.latestCheckpointId ?? -1) >= checkpointId;
        },
      );
      if (settled) return;
    }
    throw refusals.latestKeepsMoving(jobId, maxAttempts);
  }

  async readLedger(jobId: string): Promise<JobLedger | undefined> {
    keys.assertJobId(jobId);
    const item = await this.table.get('readLedger', keys.metaKey(jobId));
    return item && { job: items.itemToJob(item), checkpoints: items.itemToLedger(item) };
  }

  /**
   * One UpdateItem replacing the ledger, conditional on the version read. After
   * an ambiguous try, META holding exactly the intended ledger and version is ours.
   */
  async commitLedger(jobId: string, base: JobLedger, change: LedgerChange): Promise<JobLedger> {
    keys.assertJobId(jobId);
    keys.assertSameJob(jobId, base.job.jobId);
    const next = applyLedgerChange(base, base.job.version, change);
    const op = 'commitLedger';
    const key = keys.metaKey(jobId);
    return this.table.conditional(
      op,
      async () => {
        await this.table.update(updates.ledgerUpdate(key, base, next));
        return next;
      },
      async (ambiguous) => {
        const found = await this.readLedger(jobId);
        if (!found) throw refusals.jobMissing(op, jobId);
        if (ambiguous && isDeepStrictEqual(found, next)) return found;
        if (found.job.version !== base.job.version) {
          throw refusals.ledgerVersion(jobId, base.job.version, found.job.version);
        }
        throw refusals.ledgerCounter(jobId, next.job.lastCheckpointId, found.job.lastCheckpointId);
      },
    );
  }

  /** A change to one ledger record outside a coordinator step (core/checkpoint/ledger-update.ts). */
  private changeLedger<T>(op: string, jobId: string, decide: LedgerDecision<T>): Promise<T> {
    return updateLedger(this, jobId, this.table.policy.maxAttempts, decide, () =>
      refusals.jobMissing(op, jobId),
    );
  }

  // --- checkpoints ------------------------------------------------------

  async createCheckpoint(jobId: string, record: CheckpointRecord): Promise<void> {
    keys.assertJobId(jobId);
    keys.assertCheckpointId(record.checkpointId);
    if (record.kind === 'CHECKPOINT') {
      await this.changeLedger('createCheckpoint', jobId, (ledger) => ({
        change: ledgerCreate(ledger, record),
        result: undefined,
      }));
      return;
    }
    // Ids are unique across kinds: a savepoint never takes a periodic checkpoint's id.
    const ledger = await this.readLedger(jobId);
    const inLedger = ledger && findInLedger(ledger, record.checkpointId);
    if (inLedger) throw refusals.checkpointExists(jobId, record.checkpointId, inLedger.status);
    const item = items.checkpointToItem(jobId, record);
    await this.table.putIfAbsent('createCheckpoint', item, items.itemToCheckpoint, (found) =>
      refusals.checkpointExists(jobId, record.checkpointId, found.status),
    );
  }

  async getCheckpoint(jobId: string, checkpointId: number): Promise<CheckpointRecord | undefined> {
    keys.assertJobId(jobId);
    keys.assertCheckpointId(checkpointId);
    const ledger = await this.readLedger(jobId);
    const inLedger = ledger && findInLedger(ledger, checkpointId);
    if (inLedger) return inLedger;
    const item = await this.table.get('getCheckpoint', keys.checkpointKey(jobId, checkpointId));
    return item && items.itemToCheckpoint(item);
  }

  async transitionCheckpoint(
    jobId: string,
    checkpointId: number,
    from: CheckpointStatus,
    next: updates.CheckpointTransition,
  ): Promise<CheckpointRecord> {
    keys.assertJobId(jobId);
    keys.assertCheckpointId(checkpointId);
    const op = 'transitionCheckpoint';
    const inLedger = await this.changeLedger(op, jobId, (ledger) => {
      const found = findInLedger(ledger, checkpointId);
      if (!found) return { result: undefined };
      const { record, change } = ledgerTransition(ledger, found, from, next);
      return { change, result: record };
    }).catch((error: unknown) => {
      // No job, so no ledger: the record can only be an item (or missing).
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (inLedger) return inLedger;
    const key = keys.checkpointKey(jobId, checkpointId);
    const { fields, input } = updates.checkpointUpdate(key, from, next);
    return this.table.conditional(
      op,
      async () => items.itemToCheckpoint(await this.table.update(input)),
      async (ambiguous) => {
        const notFound = () => refusals.checkpointMissing(op, jobId, checkpointId);
        const found = await this.table.getOrThrow(op, key, items.itemToCheckpoint, notFound);
        if (ambiguous && isDeepStrictEqual({ ...found, ...fields }, found)) return found;
        throw refusals.checkpointStatus(jobId, checkpointId, from, found.status);
      },
    );
  }

  async listCheckpoints(jobId: string, kind?: CheckpointKind): Promise<CheckpointRecord[]> {
    keys.assertJobId(jobId);
    const ledger = kind === 'SAVEPOINT' ? undefined : await this.readLedger(jobId);
    const found =
      kind === 'CHECKPOINT'
        ? []
        : await this.table.query('listCheckpoints', keys.jobPk(jobId), keys.CHECKPOINT_SK_PREFIX);
    return [...(ledger?.checkpoints ?? []), ...found.map(items.itemToCheckpoint)].sort(
      (a, b) => a.checkpointId - b.checkpointId,
    );
  }

  /** Acks first, then the record: a crash in between leaves the record, so a retry finds and finishes it. */
  async deleteCheckpoint(jobId: string, checkpointId: number): Promise<void> {
    keys.assertJobId(jobId);
    keys.assertCheckpointId(checkpointId);
    const ledger = await this.readLedger(jobId);
    if (ledger && findInLedger(ledger, checkpointId)) {
      await this.deleteAcks(jobId, checkpointId, 'CHECKPOINT');
      await this.changeLedger('deleteCheckpoint', jobId, (current) => ({
        ...(findInLedger(current, checkpointId) ? { change: { remove: [checkpointId] } } : {}),
        result: undefined,
      }));
      return;
    }
    await this.deleteAcks(jobId, checkpointId, 'SAVEPOINT');
    await this.table.delete('deleteCheckpoint', keys.checkpointKey(jobId, checkpointId));
  }

  // --- acks -------------------------------------------------------------

  putAck(jobId: string, ack: ShardAck): Promise<void> {
    return this.acks.put(jobId, ack);
  }

  getAck(
    jobId: string,
    checkpointId: number,
    shardId: string,
    kind?: CheckpointKind,
  ): Promise<ShardAck | undefined> {
    return this.acks.get(jobId, checkpointId, shardId, kind);
  }

  listAcks(jobId: string, checkpointId: number, kind?: CheckpointKind): Promise<ShardAck[]> {
    return this.acks.list(jobId, checkpointId, kind);
  }

  deleteAcks(jobId: string, checkpointId: number, kind?: CheckpointKind): Promise<void> {
    return this.acks.delete(jobId, checkpointId, kind);
  }

  // --- cursors ----------------------------------------------------------

  createCursor(jobId: string, cursor: ShardCursor): Promise<void> {
    return this.cursors.create(jobId, cursor);
  }

  getCursor(jobId: string, shardId: string): Promise<ShardCursor | undefined> {
    return this.cursors.get(jobId, shardId);
  }

  commitCursor(
    jobId: string,
    shardId: string,
    expectedVersion: number,
    commit: CursorCommit,
  ): Promise<number> {
    return this.cursors.commit(jobId, shardId, expectedVersion, commit);
  }

  replaceCursor(jobId: string, expectedVersion: number, cursor: ShardCursor): Promise<void> {
    return this.cursors.replace(jobId, expectedVersion, cursor);
  }

  listCursors(jobId: string): Promise<ShardCursor[]> {
    return this.cursors.list(jobId);
  }
}
