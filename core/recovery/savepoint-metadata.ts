import { CheckpointError, isCheckpointError } from '../errors/index.js';
import type { CheckpointRecord, ShardAck } from '../ports/checkpoint-store.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import { RestoreRefusedError } from './restore-errors.js';

/**
 * A savepoint describes itself in S3 (Flink's `_metadata` file), so a
 * deployment that has only its path (a fresh table, another stack) can restore
 * it: `<storagePrefix>/_metadata`, JSON, written once when the savepoint completes.
 */
export const SAVEPOINT_METADATA_FILE = '_metadata';
export const SAVEPOINT_METADATA_FORMAT_VERSION = 1;

export type SavepointMetadataSnapshot =
  | { key: string; sha256: string; sizeBytes: number }
  | { inlineBase64: string; sha256: string; sizeBytes: number };

export interface SavepointMetadataShard {
  shardId: string;
  /** The barrier's sequence number: the snapshot holds the state just before it. */
  sequenceNumber: string;
  snapshot: SavepointMetadataSnapshot;
}

export interface SavepointMetadata {
  formatVersion: number;
  kind: 'SAVEPOINT';
  jobId: string;
  checkpointId: number;
  storagePrefix: string;
  triggerTimeMs: number;
  completedAtMs: number;
  /** The stream its positions belong to (absent in files written before it was recorded). */
  stream?: string;
  shards: SavepointMetadataShard[];
}

export function savepointMetadataKey(storagePrefix: string): string {
  return `${storagePrefix.replace(/\/+$/, '')}/${SAVEPOINT_METADATA_FILE}`;
}

/** The metadata of a savepoint about to complete (every ack verified). Pure. */
export function savepointMetadata(
  jobId: string,
  record: CheckpointRecord,
  acks: ShardAck[],
  completedAtMs: number,
  stream?: string,
): SavepointMetadata {
  return {
    formatVersion: SAVEPOINT_METADATA_FORMAT_VERSION,
    kind: 'SAVEPOINT',
    jobId,
    checkpointId: record.checkpointId,
    storagePrefix: record.storagePrefix,
    triggerTimeMs: record.triggerTimeMs,
    completedAtMs,
    ...(stream === undefined ? {} : { stream }),
    shards: [...acks]
      .sort((a, b) => (a.shardId < b.shardId ? -1 : 1))
      .map((a) => ({
        shardId: a.shardId,
        sequenceNumber: a.sequenceNumber,
        snapshot:
          'ref' in a.snapshot
            ? { ...a.snapshot.ref }
            : {
                inlineBase64: Buffer.from(a.snapshot.inline).toString('base64'),
                sha256: a.snapshot.sha256,
                sizeBytes: a.snapshot.sizeBytes,
              },
      })),
  };
}

/**
 * Writes `_metadata` (write-once). A retried completion may find the file of
 * its own earlier attempt (only the completion time differs): accepted when it
 * names the same job, savepoint and snapshots; anything else is refused.
 */
export async function writeSavepointMetadata(
  snapshots: SnapshotStore,
  jobId: string,
  record: CheckpointRecord,
  acks: ShardAck[],
  completedAtMs: number,
  stream?: string,
): Promise<void> {
  const metadata = savepointMetadata(jobId, record, acks, completedAtMs, stream);
  const key = savepointMetadataKey(record.storagePrefix);
  try {
    await snapshots.put(key, new TextEncoder().encode(`${JSON.stringify(metadata, null, 1)}\n`));
  } catch (error) {
    if (!isCheckpointError(error, 'CONDITION_FAILED')) throw error;
    const existing = parseSavepointMetadata(await snapshots.getObject(key), key);
    if (sameSavepoint(existing, metadata)) return;
    throw new CheckpointError(
      'CONDITION_FAILED',
      `${key} already describes savepoint ${existing.checkpointId} of job ${existing.jobId}, not savepoint ` +
        `${metadata.checkpointId} of job ${jobId}: two jobs share one savepoints.dir prefix; give each job its own ` +
        'job id or savepoints.dir',
      { cause: error },
    );
  }
}

function sameSavepoint(a: SavepointMetadata, b: SavepointMetadata): boolean {
  const shards = (m: SavepointMetadata) => JSON.stringify(m.shards);
  return a.jobId === b.jobId && a.checkpointId === b.checkpointId && shards(a) === shards(b);
}

/** Reads and checks `_metadata` under a savepoint's prefix; a missing or malformed one is a refusal. */
export async function readSavepointMetadata(
  snapshots: SnapshotStore,
  storagePrefix: string,
  describedAs: string,
): Promise<SavepointMetadata> {
  const key = savepointMetadataKey(storagePrefix);
  let bytes: Uint8Array;
  try {
    bytes = await snapshots.getObject(key);
  } catch (error) {
    if (!isCheckpointError(error, 'NOT_FOUND')) throw error;
    throw new RestoreRefusedError(
      `savepointPath ${describedAs}: expected a savepoint's ${SAVEPOINT_METADATA_FILE} object at ${key}, found ` +
        'nothing; give the savepoint directory (as "status" or "list" shows its storagePrefix, e.g. ' +
        '"s3://<bucket>/<savepoints dir>/<job>/savepoint-<id>")',
      undefined,
      error,
    );
  }
  return parseSavepointMetadata(bytes, key);
}

function fieldError(key: string, field: string, expected: string, found: unknown): RestoreRefusedError {
  return new RestoreRefusedError(
    `${key} is not usable savepoint metadata: ${field}: expected ${expected}, found ${JSON.stringify(found)?.slice(0, 80)}`,
  );
}

const SHA256 = /^[0-9a-f]{64}$/;
const SEQUENCE_NUMBER = /^\d{1,128}$/;

/** Parses `_metadata` strictly: every field the import relies on is checked, naming it when wrong. */
export function parseSavepointMetadata(bytes: Uint8Array, key: string): SavepointMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new RestoreRefusedError(`${key} is not JSON savepoint metadata (${(error as Error).message})`);
  }
  const m = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (m.formatVersion !== SAVEPOINT_METADATA_FORMAT_VERSION) {
    throw fieldError(key, 'formatVersion', String(SAVEPOINT_METADATA_FORMAT_VERSION), m.formatVersion);
  }
  if (m.kind !== 'SAVEPOINT') throw fieldError(key, 'kind', '"SAVEPOINT"', m.kind);
  if (typeof m.jobId !== 'string' || m.jobId === '') throw fieldError(key, 'jobId', 'a job id', m.jobId);
  for (const field of ['checkpointId', 'triggerTimeMs', 'completedAtMs'] as const) {
    const value = m[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw fieldError(key, field, 'a non-negative integer', value);
    }
  }
  if (typeof m.storagePrefix !== 'string')
    throw fieldError(key, 'storagePrefix', 'a key prefix', m.storagePrefix);
  if (m.stream !== undefined && (typeof m.stream !== 'string' || m.stream === ''))
    throw fieldError(key, 'stream', 'a stream name', m.stream);
  if (!Array.isArray(m.shards) || m.shards.length === 0) {
    throw fieldError(key, 'shards', 'a non-empty list', m.shards);
  }
  const shards = m.shards.map((raw, i) => parseShard(raw, `shards[${i}]`, key));
  return { ...(m as unknown as SavepointMetadata), shards };
}

function parseShard(raw: unknown, path: string, key: string): SavepointMetadataShard {
  const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof s.shardId !== 'string' || s.shardId === '')
    throw fieldError(key, `${path}.shardId`, 'a shard id', s.shardId);
  if (typeof s.sequenceNumber !== 'string' || !SEQUENCE_NUMBER.test(s.sequenceNumber)) {
    throw fieldError(key, `${path}.sequenceNumber`, 'a decimal sequence number', s.sequenceNumber);
  }
  const snap = (typeof s.snapshot === 'object' && s.snapshot !== null ? s.snapshot : {}) as Record<
    string,
    unknown
  >;
  if (typeof snap.sha256 !== 'string' || !SHA256.test(snap.sha256)) {
    throw fieldError(key, `${path}.snapshot.sha256`, 'a lowercase hex SHA-256', snap.sha256);
  }
  if (typeof snap.sizeBytes !== 'number' || !Number.isSafeInteger(snap.sizeBytes) || snap.sizeBytes < 0) {
    throw fieldError(key, `${path}.snapshot.sizeBytes`, 'a size in bytes', snap.sizeBytes);
  }
  if (typeof snap.key === 'string' && snap.key !== '') {
    return {
      shardId: s.shardId,
      sequenceNumber: s.sequenceNumber,
      snapshot: { key: snap.key, sha256: snap.sha256, sizeBytes: snap.sizeBytes },
    };
  }
  if (typeof snap.inlineBase64 === 'string') {
    return {
      shardId: s.shardId,
      sequenceNumber: s.sequenceNumber,
      snapshot: { inlineBase64: snap.inlineBase64, sha256: snap.sha256, sizeBytes: snap.sizeBytes },
    };
  }
  throw fieldError(key, `${path}.snapshot`, 'an S3 key or inlineBase64 bytes', s.snapshot);
}
