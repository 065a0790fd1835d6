import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as items from '../../core/aws/dynamodb-items.js';
import type {
  CheckpointRecord,
  JobLedger,
  JobMeta,
  ShardAck,
  ShardCursor,
} from '../../core/ports/checkpoint-store.js';

/**
 * DynamoDB item sizes as AWS bills them (attribute names plus values: strings
 * by UTF-8 length, numbers about one byte per two digits plus one, binaries by
 * length, lists and maps 3 bytes plus their elements and one byte each), from
 * the same mappers the DynamoDB adapter writes with.
 */
export function attributeSizeBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-/, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + attributeSizeBytes(v), 0);
  if (value.M !== undefined) return 3 + itemSizeBytes(value.M) + Object.keys(value.M).length;
  return 0;
}

export function itemSizeBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + attributeSizeBytes(value),
    0,
  );
}

export const ledgerSizeBytes = (ledger: JobLedger): number =>
  itemSizeBytes({ ...items.jobToItem(ledger.job), ledger: items.ledgerToAttr(ledger.checkpoints) });
export const jobSizeBytes = (job: JobMeta): number => itemSizeBytes(items.jobToItem(job));
export const checkpointSizeBytes = (jobId: string, record: CheckpointRecord): number =>
  itemSizeBytes(items.checkpointToItem(jobId, record));
export const ackSizeBytes = (jobId: string, ack: ShardAck): number =>
  itemSizeBytes(items.ackToItem(jobId, ack));
export const cursorSizeBytes = (jobId: string, cursor: ShardCursor): number =>
  itemSizeBytes(items.cursorToItem(jobId, cursor));

/** Write units: one per started KB of the item written. */
export const writeUnits = (sizeBytes: number): number => Math.max(1, Math.ceil(sizeBytes / 1_024));
/** Read units of a strongly consistent read or query: one per started 4 KB read. */
export const readUnits = (sizeBytes: number): number => Math.max(1, Math.ceil(sizeBytes / 4_096));
