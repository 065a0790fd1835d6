import { applyLedgerChange, findInLedger, ledgerCreate, ledgerTransition } from '../aws/checkpoint-ledger.js';
import { refusals } from '../aws/checkpoint-store-errors.js';
import * as items from '../aws/dynamodb-items.js';
import * as keys from '../aws/dynamodb-keys.js';
import { type CheckpointTransition, checkpointTransitionFields } from '../aws/dynamodb-updates.js';
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
import { MemoryTable } from './memory-table.js';

/**
 * Fault injection around every call. `before` runs before the call takes effect
 * (throwing = the call failed, nothing changed); `after` runs once it took effect
 * (throwing = an ambiguous failure: the write happened but the caller sees an error).
 */
export interface CheckpointStoreFaults {
  before?(op: string, args: unknown[]): void | Promise<void>;
  after?(op: string, args: unknown[]): void | Promise<void>;
}

export interface MemoryCheckpointStoreOptions {
  faults?: CheckpointStoreFaults;
}

/**
 * CheckpointStore in memory with the DynamoDB adapter's semantics: the same
 * items (same mappers and keys), the same conditions, the same errors and input
 * checks. Each call takes effect atomically (no await inside the body).
 * It has no retries, so it never meets an ambiguous write of its own.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly table = new MemoryTable();
  private readonly faults: CheckpointStoreFaults;

  constructor(options: MemoryCheckpointStoreOptions = {}) {
    this.faults = options.faults ?? {};
  }

  /** Stable, sorted, deep snapshot of every item (DynamoDB JSON), to assert that nothing changed. */
  dump(): Record<string, unknown> {
    return this.table.dump();
  }

  // --- job -------------------------------------------------------------

  createJob(meta: JobMeta): Promise<void> {
    return this.run('createJob', [meta], () => {
      keys.assertJobId(meta.jobId);
      const found = this.table.get(keys.metaKey(meta.jobId));
      if (found) throw refusals.jobExists(meta.jobId, items.itemToJob(found).version);
      this.table.put(items.jobToItem(meta));
    });
  }

  getJob(jobId: string): Promise<JobMeta | undefined> {
    return this.run('getJob', [jobId], () => {
      keys.assertJobId(jobId);
      return this.read(keys.metaKey(jobId), items.itemToJob);
    });
  }

  updateJob(jobId: string, expectedVersion: number, next: Omit<JobMeta, 'version'>): Promise<JobMeta> {
    return this.run('updateJob', [jobId, expectedVersion, next], () => {
      keys.assertJobId(jobId);
      keys.assertVersion('expectedVersion', expectedVersion);
      keys.assertSameJob(jobId, next.jobId);
      const found = this.read(keys.metaKey(jobId), items.itemToJob);
      if (!found) throw refusals.jobMissing('updateJob', jobId);
      if (found.version !== expectedVersion) throw refusals.jobVersion(jobId, expectedVersion, found.version);
      // lastCheckpointId is only moved by allocateCheckpointId (and a ledger commit), as in DynamoDB.
      const item = this.putMeta({
        ...next,
        version: expectedVersion + 1,
        lastCheckpointId: found.lastCheckpointId,
      });
      return items.itemToJob(item);
    });
  }

  allocateCheckpointId(jobId: string, expectedLastCheckpointId?: number): Promise<number> {
    const args = expectedLastCheckpointId === undefined ? [jobId] : [jobId, expectedLastCheckpointId];
    return this.run('allocateCheckpointId', args, () => {
      keys.assertJobId(jobId);
      if (expectedLastCheckpointId !== undefined)
        keys.assertVersion('expectedLastCheckpointId', expectedLastCheckpointId);
      const found = this.read(keys.metaKey(jobId), items.itemToJob);
      if (!found) throw refusals.jobMissing('allocateCheckpointId', jobId);
      if (expectedLastCheckpointId !== undefined && found.lastCheckpointId !== expectedLastCheckpointId) {
        throw refusals.counterMoved(jobId, expectedLastCheckpointId, found.lastCheckpointId);
      }
      const lastCheckpointId = found.lastCheckpointId + 1;
      this.putMeta({ ...found, lastCheckpointId });
      return lastCheckpointId;
    });
  }

  /** Forward only, bumping the version; a missing job is a ConditionFailedError (as in DynamoDB). */
  advanceLatestCheckpoint(jobId: string, checkpointId: number): Promise<void> {
    return this.run('advanceLatestCheckpoint', [jobId, checkpointId], () => {
      keys.assertJobId(jobId);
      keys.assertCheckpointId(checkpointId);
      const found = this.read(keys.metaKey(jobId), items.itemToJob);
      if (!found) throw refusals.latestWithoutJob(jobId);
      if ((found.latestCheckpointId ?? -1) >= checkpointId) return;
      this.putMeta({ ...found, latestCheckpointId: checkpointId, version: found.version + 1 });
    });
  }

  readLedger(jobId: string): Promise<JobLedger | undefined> {
    return this.run('readLedger', [jobId], () => {
      keys.assertJobId(jobId);
      return this.ledger(jobId);
    });
  }

  commitLedger(jobId: string, base: JobLedger, change: LedgerChange): Promise<JobLedger> {
    return this.run('commitLedger', [jobId, base, change], () => {
      keys.assertJobId(jobId);
      keys.assertSameJob(jobId, base.job.jobId);
      const current = this.ledger(jobId);
      if (!current) throw refusals.jobMissing('commitLedger', jobId);
      // The stored ledger at base's version is base itself: apply to what is stored.
      return this.putLedger(applyLedgerChange(current, base.job.version, change));
    });
  }

  // --- checkpoints ------------------------------------------------------

  createCheckpoint(jobId: string, record: CheckpointRecord): Promise<void> {
    return this.run('createCheckpoint', [jobId, record], () => {
      keys.assertJobId(jobId);
      keys.assertCheckpointId(record.checkpointId);
      if (record.kind === 'CHECKPOINT') {
        const ledger = this.ledger(jobId);
        if (!ledger) throw refusals.jobMissing('createCheckpoint', jobId);
        this.putLedger(applyLedgerChange(ledger, ledger.job.version, ledgerCreate(ledger, record)));
        return;
      }
      const ledger = this.ledger(jobId);
      const found =
        (ledger && findInLedger(ledger, record.checkpointId)) ??
        this.read(keys.checkpointKey(jobId, record.checkpointId), items.itemToCheckpoint);
      if (found) throw refusals.checkpointExists(jobId, record.checkpointId, found.status);
      this.table.put(items.checkpointToItem(jobId, record));
    });
  }

  getCheckpoint(jobId: string, checkpointId: number): Promise<CheckpointRecord | undefined> {
    return this.run('getCheckpoint', [jobId, checkpointId], () => {
      keys.assertJobId(jobId);
      keys.assertCheckpointId(checkpointId);
      const ledger = this.ledger(jobId);
      const inLedger = ledger && findInLedger(ledger, checkpointId);
      if (inLedger) return structuredClone(inLedger);
      return this.read(keys.checkpointKey(jobId, checkpointId), items.itemToCheckpoint);
    });
  }

  transitionCheckpoint(
    jobId: string,
    checkpointId: number,
    from: CheckpointStatus,
    next: CheckpointTransition,
  ): Promise<CheckpointRecord> {
    return this.run('transitionCheckpoint', [jobId, checkpointId, from, next], () => {
      keys.assertJobId(jobId);
      keys.assertCheckpointId(checkpointId);
      const ledger = this.ledger(jobId);
      const inLedger = ledger && findInLedger(ledger, checkpointId);
      if (ledger && inLedger) {
        const { record, change } = ledgerTransition(ledger, inLedger, from, next);
        this.putLedger(applyLedgerChange(ledger, ledger.job.version, change));
        return structuredClone(record);
      }
      const found = this.read(keys.checkpointKey(jobId, checkpointId), items.itemToCheckpoint);
      if (!found) throw refusals.checkpointMissing('transitionCheckpoint', jobId, checkpointId);
      if (found.status !== from) throw refusals.checkpointStatus(jobId, checkpointId, from, found.status);
      const item = items.checkpointToItem(jobId, { ...found, ...checkpointTransitionFields(next) });
      this.table.put(item);
      return items.itemToCheckpoint(item);
    });
  }

  listCheckpoints(jobId: string, kind?: CheckpointKind): Promise<CheckpointRecord[]> {
    return this.run('listCheckpoints', kind === undefined ? [jobId] : [jobId, kind], () => {
      keys.assertJobId(jobId);
      const saved =
        kind === 'CHECKPOINT'
          ? []
          : this.table.query(keys.jobPk(jobId), keys.CHECKPOINT_SK_PREFIX).map(items.itemToCheckpoint);
      const ledger = kind === 'SAVEPOINT' ? [] : (this.ledger(jobId)?.checkpoints ?? []);
      return [...ledger, ...saved].sort((a, b) => a.checkpointId - b.checkpointId);
    });
  }

  /** Acks first, then the record, as the DynamoDB adapter does. */
  deleteCheckpoint(jobId: string, checkpointId: number): Promise<void> {
    return this.run('deleteCheckpoint', [jobId, checkpointId], () => {
      keys.assertJobId(jobId);
      keys.assertCheckpointId(checkpointId);
      const ledger = this.ledger(jobId);
      if (ledger && findInLedger(ledger, checkpointId)) {
        this.removeAcks(jobId, checkpointId, 'CHECKPOINT');
        this.putLedger(applyLedgerChange(ledger, ledger.job.version, { remove: [checkpointId] }));
        return;
      }
      this.removeAcks(jobId, checkpointId, 'SAVEPOINT');
      this.table.delete(keys.checkpointKey(jobId, checkpointId));
    });
  }

  // --- acks -------------------------------------------------------------

  putAck(jobId: string, ack: ShardAck): Promise<void> {
    return this.run('putAck', [jobId, ack], () => {
      keys.assertJobId(jobId);
      keys.assertAck(ack);
      const found = this.read(keys.ackKey(jobId, ack.checkpointId, ack.shardId, ack.kind), items.itemToAck);
      if (found && found.checkpointId === ack.checkpointId) {
        throw refusals.ackExists(jobId, ack.checkpointId, ack.shardId, found.sequenceNumber);
      }
      if (found && found.checkpointId > ack.checkpointId) {
        throw refusals.slotTaken(jobId, ack.checkpointId, ack.shardId, found.checkpointId);
      }
      this.table.put(items.ackToItem(jobId, ack));
    });
  }

  getAck(
    jobId: string,
    checkpointId: number,
    shardId: string,
    kind?: CheckpointKind,
  ): Promise<ShardAck | undefined> {
    return this.run('getAck', [jobId, checkpointId, shardId], () => {
      keys.assertJobId(jobId);
      keys.assertCheckpointId(checkpointId);
      keys.assertShardId(shardId);
      const at = (k: CheckpointKind) => {
        const found = this.read(keys.ackKey(jobId, checkpointId, shardId, k), items.itemToAck);
        return found?.checkpointId === checkpointId ? found : undefined;
      };
      return kind === undefined ? (at('CHECKPOINT') ?? at('SAVEPOINT')) : at(kind);
    });
  }

  listAcks(jobId: string, checkpointId: number, kind?: CheckpointKind): Promise<ShardAck[]> {
    return this.run('listAcks', [jobId, checkpointId], () => {
      keys.assertJobId(jobId);
      keys.assertCheckpointId(checkpointId);
      return this.acksOf(jobId, checkpointId, kind).map(items.itemToAck);
    });
  }

  deleteAcks(jobId: string, checkpointId: number, kind?: CheckpointKind): Promise<void> {
    return this.run('deleteAcks', [jobId, checkpointId], () => {
      keys.assertJobId(jobId);
      keys.assertCheckpointId(checkpointId);
      this.removeAcks(jobId, checkpointId, kind);
    });
  }

  // --- cursors ----------------------------------------------------------

  createCursor(jobId: string, cursor: ShardCursor): Promise<void> {
    return this.run('createCursor', [jobId, cursor], () => {
      keys.assertJobId(jobId);
      keys.assertCursor(cursor);
      const found = this.read(keys.cursorKey(jobId, cursor.shardId), items.itemToCursor);
      if (found) throw refusals.cursorExists(jobId, cursor.shardId, found.version);
      this.table.put(items.cursorToItem(jobId, cursor));
    });
  }

  getCursor(jobId: string, shardId: string): Promise<ShardCursor | undefined> {
    return this.run('getCursor', [jobId, shardId], () => {
      keys.assertJobId(jobId);
      keys.assertShardId(shardId);
      return this.read(keys.cursorKey(jobId, shardId), items.itemToCursor);
    });
  }

  commitCursor(
    jobId: string,
    shardId: string,
    expectedVersion: number,
    commit: CursorCommit,
  ): Promise<number> {
    return this.run('commitCursor', [jobId, shardId, expectedVersion, commit], () => {
      keys.assertJobId(jobId);
      keys.assertShardId(shardId);
      keys.assertVersion('expectedVersion', expectedVersion);
      const found = this.read(keys.cursorKey(jobId, shardId), items.itemToCursor);
      if (!found) throw refusals.cursorMissing('commitCursor', jobId, shardId);
      if (found.version !== expectedVersion) {
        throw refusals.cursorFenced('commitCursor', jobId, shardId, expectedVersion, found);
      }
      const { lastSequenceNumber, owner, updatedAtMs } = commit;
      const version = expectedVersion + 1;
      this.table.put(
        items.cursorToItem(jobId, { ...found, lastSequenceNumber, owner, updatedAtMs, version }),
      );
      return version;
    });
  }

  replaceCursor(jobId: string, expectedVersion: number, cursor: ShardCursor): Promise<void> {
    return this.run('replaceCursor', [jobId, expectedVersion, cursor], () => {
      keys.assertJobId(jobId);
      keys.assertReplacementVersion(expectedVersion, cursor);
      const found = this.read(keys.cursorKey(jobId, cursor.shardId), items.itemToCursor);
      if (!found) throw refusals.cursorMissing('replaceCursor', jobId, cursor.shardId);
      if (found.version !== expectedVersion) {
        throw refusals.cursorFenced('replaceCursor', jobId, cursor.shardId, expectedVersion, found);
      }
      this.table.put(items.cursorToItem(jobId, cursor));
    });
  }

  listCursors(jobId: string): Promise<ShardCursor[]> {
    return this.run('listCursors', [jobId], () => {
      keys.assertJobId(jobId);
      return this.table.query(keys.jobPk(jobId), keys.CURSOR_SK_PREFIX).map(items.itemToCursor);
    });
  }

  // --- helpers ----------------------------------------------------------

  /** Hooks around a synchronous body: the body is the atomic effect. */
  private async run<T>(op: string, args: unknown[], body: () => T): Promise<T> {
    await this.faults.before?.(op, args);
    const result = body();
    await this.faults.after?.(op, args);
    return result;
  }

  private read<T>(key: keys.ItemKey, fromItem: (item: items.Item) => T): T | undefined {
    const item = this.table.get(key);
    return item && fromItem(item);
  }

  /** Without a kind: the slot first, then a savepoint's own items. */
  private acksOf(jobId: string, checkpointId: number, kind: CheckpointKind | undefined): items.Item[] {
    const query = (k: CheckpointKind) =>
      this.table
        .query(keys.jobPk(jobId), keys.ackPrefix(checkpointId, k))
        .filter((item) => item.checkpointId?.N === String(checkpointId));
    if (kind !== undefined) return query(kind);
    const inSlot = query('CHECKPOINT');
    return inSlot.length > 0 ? inSlot : query('SAVEPOINT');
  }

  private removeAcks(jobId: string, checkpointId: number, kind: CheckpointKind | undefined): void {
    for (const item of this.acksOf(jobId, checkpointId, kind)) {
      this.table.delete({ pk: item.pk!.S!, sk: item.sk!.S! });
    }
  }

  private ledger(jobId: string): JobLedger | undefined {
    const item = this.table.get(keys.metaKey(jobId));
    return item && { job: items.itemToJob(item), checkpoints: items.itemToLedger(item) };
  }

  /** Writes META, keeping the ledger it holds. */
  private putMeta(job: JobMeta): items.Item {
    const ledger = this.table.get(keys.metaKey(job.jobId))?.ledger;
    const item = { ...items.jobToItem(job), ...(ledger ? { ledger } : {}) };
    this.table.put(item);
    return item;
  }

  private putLedger(ledger: JobLedger): JobLedger {
    this.table.put({ ...items.jobToItem(ledger.job), ledger: items.ledgerToAttr(ledger.checkpoints) });
    return structuredClone(ledger);
  }
}
