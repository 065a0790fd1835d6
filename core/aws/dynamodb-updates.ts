import type { AttributeValue, ReturnValue } from '@aws-sdk/client-dynamodb';
import type { CheckpointRecord, CheckpointStatus, CursorCommit, JobLedger, JobMeta } from '../ports/index.js';
import { checkpointFieldToAttr, failuresToAttr, type Item, ledgerToAttr } from './dynamodb-items.js';
import type { ItemKey } from './dynamodb-keys.js';

/** The UpdateItem requests of the store, built here so the store reads as decisions. */
export interface UpdateInput {
  Key: ItemKey;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  ReturnValues?: ReturnValue;
}

/** Placeholders for expression attribute names and values, registered as used (DynamoDB rejects unused ones). */
export class Expression {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, AttributeValue> = {};

  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: AttributeValue): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  params(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item } {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

const N = (value: number): AttributeValue => ({ N: String(value) });
const S = (value: string): AttributeValue => ({ S: value });

function assignments(e: Expression, values: Record<string, AttributeValue>): string[] {
  return Object.entries(values).map(([name, value]) => `${e.name(name)} = ${e.value(value)}`);
}

/**
 * Replaces every field of the job but lastCheckpointId, which only
 * allocateCheckpointId moves: a job read before an allocation must not hand the
 * same id out twice. Absent optional fields are removed ("replaces").
 */
export function jobUpdate(
  key: ItemKey,
  expectedVersion: number,
  next: Omit<JobMeta, 'version'>,
): UpdateInput {
  const e = new Expression();
  const set = assignments(e, {
    generation: N(next.generation),
    status: S(next.status),
    failures: failuresToAttr(next.failures),
    updatedAtMs: N(next.updatedAtMs),
    version: N(expectedVersion + 1),
    ...(next.latestCheckpointId !== undefined ? { latestCheckpointId: N(next.latestCheckpointId) } : {}),
    ...(next.statusReason !== undefined ? { statusReason: S(next.statusReason) } : {}),
    ...(next.restart !== undefined ? { restart: S(JSON.stringify(next.restart)) } : {}),
  });
  const remove = [
    ...(next.latestCheckpointId === undefined ? [e.name('latestCheckpointId')] : []),
    ...(next.statusReason === undefined ? [e.name('statusReason')] : []),
    ...(next.restart === undefined ? [e.name('restart')] : []),
  ];
  return {
    Key: key,
    UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ConditionExpression: `${e.name('version')} = ${e.value(N(expectedVersion))}`,
    ...e.params(),
    ReturnValues: 'ALL_NEW',
  };
}

const CHECKPOINT_FIELDS = [
  'status',
  'generation',
  'triggerTimeMs',
  'expectedShards',
  'storagePrefix',
  'completedAtMs',
  'failureReason',
  'abortReason',
  'totalSizeBytes',
  'stats',
] as const;

export type CheckpointTransition = Partial<Omit<CheckpointRecord, 'checkpointId' | 'kind'>> & {
  status: CheckpointStatus;
};

/** The fields a transition sets (copied: the caller keeps its object), and the request setting them. */
export function checkpointTransitionFields(next: CheckpointTransition): Partial<CheckpointRecord> {
  const fields: Record<string, unknown> = {};
  for (const name of CHECKPOINT_FIELDS) {
    const value = next[name];
    if (value !== undefined) fields[name] = Array.isArray(value) ? [...value] : value;
  }
  return fields as Partial<CheckpointRecord>;
}

export function checkpointUpdate(
  key: ItemKey,
  from: CheckpointStatus,
  next: CheckpointTransition,
): { fields: Partial<CheckpointRecord>; input: UpdateInput } {
  const fields = checkpointTransitionFields(next);
  const e = new Expression();
  const values = Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [name, checkpointFieldToAttr(name, value)]),
  );
  const set = assignments(e, values);
  return {
    fields,
    input: {
      Key: key,
      UpdateExpression: `SET ${set.join(', ')}`,
      ConditionExpression: `${e.name('status')} = ${e.value(S(from))}`,
      ...e.params(),
      ReturnValues: 'ALL_NEW',
    },
  };
}

export function commitUpdate(key: ItemKey, expectedVersion: number, commit: CursorCommit): UpdateInput {
  const e = new Expression();
  const set = assignments(e, {
    lastSequenceNumber: S(commit.lastSequenceNumber),
    owner: S(commit.owner),
    updatedAtMs: N(commit.updatedAtMs),
    version: N(expectedVersion + 1),
  });
  return {
    Key: key,
    UpdateExpression: `SET ${set.join(', ')}`,
    ConditionExpression: `${e.name('version')} = ${e.value(N(expectedVersion))}`,
    ...e.params(),
  };
}

/**
 * CheckpointIDCounter: ADD is atomic; the job must exist. With an expected id,
 * the counter must still stand there (a trigger serialized against other triggers).
 */
export function allocateUpdate(key: ItemKey, expectedLastCheckpointId?: number): UpdateInput {
  const expected = expectedLastCheckpointId !== undefined;
  return {
    Key: key,
    UpdateExpression: 'ADD #lastCheckpointId :one',
    ConditionExpression: expected
      ? 'attribute_exists(#pk) AND #lastCheckpointId = :expected'
      : 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#lastCheckpointId': 'lastCheckpointId', '#pk': 'pk' },
    ExpressionAttributeValues: {
      ':one': N(1),
      ...(expected ? { ':expected': N(expectedLastCheckpointId) } : {}),
    },
    ReturnValues: 'UPDATED_NEW',
  };
}

/** Forward only; bumps the version so an updateJob prepared before the move is fenced. */
export function advanceUpdate(key: ItemKey, checkpointId: number): UpdateInput {
  return {
    Key: key,
    UpdateExpression: 'SET #latest = :id ADD #version :one',
    ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#latest) OR #latest < :id)',
    ExpressionAttributeNames: { '#latest': 'latestCheckpointId', '#version': 'version', '#pk': 'pk' },
    ExpressionAttributeValues: { ':id': N(checkpointId), ':one': N(1) },
  };
}

/**
 * A coordinator step's one write: the whole ledger (JSON), the version, and the
 * counter and pointer when they move. Conditional on the version read; the
 * counter has its own condition because allocateCheckpointId (savepoints) moves
 * it without bumping the version.
 */
export function ledgerUpdate(key: ItemKey, base: JobLedger, next: JobLedger): UpdateInput {
  const e = new Expression();
  const counterMoves = next.job.lastCheckpointId !== base.job.lastCheckpointId;
  const set = assignments(e, {
    ledger: ledgerToAttr(next.checkpoints),
    version: N(next.job.version),
    ...(counterMoves ? { lastCheckpointId: N(next.job.lastCheckpointId) } : {}),
    ...(next.job.latestCheckpointId !== undefined
      ? { latestCheckpointId: N(next.job.latestCheckpointId) }
      : {}),
  });
  const conditions = [`${e.name('version')} = ${e.value(N(base.job.version))}`];
  if (counterMoves) {
    conditions.push(`${e.name('lastCheckpointId')} < ${e.value(N(next.job.lastCheckpointId))}`);
  }
  return {
    Key: key,
    UpdateExpression: `SET ${set.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ...e.params(),
  };
}
