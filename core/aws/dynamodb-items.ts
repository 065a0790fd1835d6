import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CheckpointError } from '../errors/index.js';
import type {
  AckedSnapshot,
  CheckpointKind,
  CheckpointRecord,
  CheckpointStatistics,
  CheckpointStatus,
  FailureEntry,
  JobMeta,
  JobStatus,
  RestartBookkeeping,
  ShardAck,
  ShardCursor,
} from '../ports/index.js';
import { ackKey, checkpointKey, cursorKey, type ItemKey, metaKey } from './dynamodb-keys.js';

/**
 * Item <-> type mapping for the checkpoint table, by hand (no lib-dynamodb):
 * numbers as N, sequence numbers as S (they exceed 2^53), inline snapshots as B,
 * snapshot references as a map. Optional fields are absent, never NULL.
 */
export type Item = Record<string, AttributeValue>;

export function keyItem(key: ItemKey): Item {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

function optional(name: string, value: string | number | undefined): Item {
  if (value === undefined) return {};
  return { [name]: typeof value === 'number' ? N(value) : S(value) };
}

// --- reading ------------------------------------------------------------

function malformed(item: Item, name: string, expected: string): CheckpointError {
  return new CheckpointError(
    'INTERNAL',
    `checkpoint table item ${item.pk?.S}/${item.sk?.S}: attribute ${name} should be ${expected}; ` +
      'the item was not written by this library or is corrupt',
  );
}

function readS(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw malformed(item, name, 'a string');
  return value;
}

function readN(item: Item, name: string): number {
  const value = item[name]?.N;
  if (value === undefined) throw malformed(item, name, 'a number');
  return Number(value);
}

function readOptS(item: Item, name: string): string | undefined {
  return item[name]?.S;
}

function readOptN(item: Item, name: string): number | undefined {
  const value = item[name]?.N;
  return value === undefined ? undefined : Number(value);
}

/** Builds an object without the optional fields that are absent. */
function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) out[name] = value;
  return out as T;
}

// --- job META -----------------------------------------------------------

function failureToAttr(entry: FailureEntry): AttributeValue {
  return { M: { atMs: N(entry.atMs), reason: S(entry.reason) } };
}

export function failuresToAttr(failures: FailureEntry[]): AttributeValue {
  return { L: failures.map(failureToAttr) };
}

export function jobToItem(meta: JobMeta): Item {
  return {
    ...keyItem(metaKey(meta.jobId)),
    jobId: S(meta.jobId),
    generation: N(meta.generation),
    status: S(meta.status),
    lastCheckpointId: N(meta.lastCheckpointId),
    version: N(meta.version),
    failures: failuresToAttr(meta.failures),
    updatedAtMs: N(meta.updatedAtMs),
    ...optional('latestCheckpointId', meta.latestCheckpointId),
    ...optional('statusReason', meta.statusReason),
    ...(meta.restart ? { restart: S(JSON.stringify(meta.restart)) } : {}),
  };
}

export function itemToJob(item: Item): JobMeta {
  const failures = (item.failures?.L ?? []).map((entry) => {
    const m = entry.M ?? {};
    return { atMs: readN(m, 'atMs'), reason: readS(m, 'reason') };
  });
  return withOptional(
    {
      jobId: readS(item, 'jobId'),
      generation: readN(item, 'generation'),
      status: readS(item, 'status') as JobStatus,
      lastCheckpointId: readN(item, 'lastCheckpointId'),
      version: readN(item, 'version'),
      failures,
      updatedAtMs: readN(item, 'updatedAtMs'),
    },
    {
      latestCheckpointId: readOptN(item, 'latestCheckpointId'),
      statusReason: readOptS(item, 'statusReason'),
      restart: item.restart?.S === undefined ? undefined : (JSON.parse(item.restart.S) as RestartBookkeeping),
    },
  );
}

// --- ledger (in META) ---------------------------------------------------

/**
 * The ledger of periodic checkpoints rides in META as one JSON string: compact
 * (an item's write units grow with its size) and replaced whole by the
 * version-conditional write of a coordinator step.
 */
export function ledgerToAttr(records: readonly CheckpointRecord[]): AttributeValue {
  return S(JSON.stringify([...records].sort((a, b) => a.checkpointId - b.checkpointId)));
}

export function itemToLedger(item: Item): CheckpointRecord[] {
  const raw = item.ledger?.S;
  if (raw === undefined) return [];
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed)) throw malformed(item, 'ledger', 'a JSON array of checkpoint records');
  return parsed as CheckpointRecord[];
}

// --- checkpoint ---------------------------------------------------------

export function expectedShardsToAttr(shards: string[]): AttributeValue {
  // A list, not a string set: sets cannot be empty and do not keep order.
  return { L: shards.map(S) };
}

export function checkpointToItem(jobId: string, record: CheckpointRecord): Item {
  return {
    ...keyItem(checkpointKey(jobId, record.checkpointId)),
    checkpointId: N(record.checkpointId),
    kind: S(record.kind),
    status: S(record.status),
    generation: N(record.generation),
    triggerTimeMs: N(record.triggerTimeMs),
    expectedShards: expectedShardsToAttr(record.expectedShards),
    storagePrefix: S(record.storagePrefix),
    ...optional('completedAtMs', record.completedAtMs),
    ...optional('failureReason', record.failureReason),
    ...optional('abortReason', record.abortReason),
    ...optional('totalSizeBytes', record.totalSizeBytes),
    ...(record.stats ? { stats: S(JSON.stringify(record.stats)) } : {}),
  };
}

export function itemToCheckpoint(item: Item): CheckpointRecord {
  return withOptional(
    {
      checkpointId: readN(item, 'checkpointId'),
      kind: readS(item, 'kind') as CheckpointKind,
      status: readS(item, 'status') as CheckpointStatus,
      generation: readN(item, 'generation'),
      triggerTimeMs: readN(item, 'triggerTimeMs'),
      expectedShards: (item.expectedShards?.L ?? []).map((v) => v.S ?? ''),
      storagePrefix: readS(item, 'storagePrefix'),
    },
    {
      completedAtMs: readOptN(item, 'completedAtMs'),
      failureReason: readOptS(item, 'failureReason'),
      abortReason: readOptS(item, 'abortReason'),
      totalSizeBytes: readOptN(item, 'totalSizeBytes'),
      stats: item.stats?.S === undefined ? undefined : (JSON.parse(item.stats.S) as CheckpointStatistics),
    },
  );
}

/** The attribute value of one CheckpointRecord field, for an UpdateItem SET. */
export function checkpointFieldToAttr(name: string, value: unknown): AttributeValue {
  if (name === 'expectedShards') return expectedShardsToAttr(value as string[]);
  if (name === 'stats') return S(JSON.stringify(value));
  return typeof value === 'number' ? N(value) : S(String(value));
}

// --- ack ----------------------------------------------------------------

function snapshotToAttr(snapshot: AckedSnapshot): AttributeValue {
  if ('inline' in snapshot) {
    return {
      M: { inline: { B: snapshot.inline }, sha256: S(snapshot.sha256), sizeBytes: N(snapshot.sizeBytes) },
    };
  }
  const { key, sha256, sizeBytes } = snapshot.ref;
  return { M: { ref: { M: { key: S(key), sha256: S(sha256), sizeBytes: N(sizeBytes) } } } };
}

function attrToSnapshot(item: Item): AckedSnapshot {
  const m = item.snapshot?.M;
  if (m === undefined) throw malformed(item, 'snapshot', 'a map');
  const inline = m.inline?.B;
  if (inline !== undefined) {
    // A plain Uint8Array copy: the SDK may hand out a Buffer or a view of a larger one.
    return { inline: new Uint8Array(inline), sha256: readS(m, 'sha256'), sizeBytes: readN(m, 'sizeBytes') };
  }
  const ref = m.ref?.M;
  if (ref === undefined) throw malformed(item, 'snapshot', 'a map with inline or ref');
  return {
    ref: { key: readS(ref, 'key'), sha256: readS(ref, 'sha256'), sizeBytes: readN(ref, 'sizeBytes') },
  };
}

export function ackToItem(jobId: string, ack: ShardAck): Item {
  return {
    ...keyItem(ackKey(jobId, ack.checkpointId, ack.shardId, ack.kind)),
    checkpointId: N(ack.checkpointId),
    ...optional('kind', ack.kind),
    shardId: S(ack.shardId),
    generation: N(ack.generation),
    sequenceNumber: S(ack.sequenceNumber),
    snapshot: snapshotToAttr(ack.snapshot),
    ackTimeMs: N(ack.ackTimeMs),
  };
}

export function itemToAck(item: Item): ShardAck {
  return {
    checkpointId: readN(item, 'checkpointId'),
    ...(item.kind?.S === 'SAVEPOINT' ? { kind: 'SAVEPOINT' as const } : {}),
    shardId: readS(item, 'shardId'),
    generation: readN(item, 'generation'),
    sequenceNumber: readS(item, 'sequenceNumber'),
    snapshot: attrToSnapshot(item),
    ackTimeMs: readN(item, 'ackTimeMs'),
  };
}

// --- cursor -------------------------------------------------------------

export function cursorToItem(jobId: string, cursor: ShardCursor): Item {
  return {
    ...keyItem(cursorKey(jobId, cursor.shardId)),
    shardId: S(cursor.shardId),
    version: N(cursor.version),
    generation: N(cursor.generation),
    initialSequenceNumber: S(cursor.initialSequenceNumber),
    updatedAtMs: N(cursor.updatedAtMs),
    ...optional('lastSequenceNumber', cursor.lastSequenceNumber),
    ...optional('owner', cursor.owner),
  };
}

export function itemToCursor(item: Item): ShardCursor {
  return withOptional(
    {
      shardId: readS(item, 'shardId'),
      version: readN(item, 'version'),
      generation: readN(item, 'generation'),
      initialSequenceNumber: readS(item, 'initialSequenceNumber'),
      updatedAtMs: readN(item, 'updatedAtMs'),
    },
    { lastSequenceNumber: readOptS(item, 'lastSequenceNumber'), owner: readOptS(item, 'owner') },
  );
}
