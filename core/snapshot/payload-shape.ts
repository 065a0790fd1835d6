/**
 * Checks that a decoded payload has the shape of a snapshot before any of it is
 * used as state: a payload that decodes but is something else is corrupt, and must
 * never be restored as garbage state.
 */
import type {
  OutboxEntry,
  SnapshotMetadata,
  StateSnapshotContent,
  TimerEntry,
} from '../state/snapshot-content.js';
import { SnapshotCorruptError } from './errors.js';

export interface SnapshotPayload {
  meta: SnapshotMetadata;
  content: StateSnapshotContent;
}

export function checkSnapshotPayload(decoded: unknown): SnapshotPayload {
  const envelope = requireRecord(decoded, 'payload');
  return { meta: checkMeta(envelope.meta), content: checkContent(envelope.content) };
}

function checkMeta(value: unknown): SnapshotMetadata {
  const meta = requireRecord(value, 'meta');
  const checkpointId = meta.checkpointId;
  if (typeof checkpointId !== 'number' || !Number.isSafeInteger(checkpointId) || checkpointId < 0) {
    throw badShape('meta.checkpointId', 'a non-negative integer', checkpointId);
  }
  return {
    jobId: requireString(meta.jobId, 'meta.jobId'),
    shardId: requireString(meta.shardId, 'meta.shardId'),
    checkpointId,
    sequenceNumber: requireString(meta.sequenceNumber, 'meta.sequenceNumber'),
    operatorName: requireString(meta.operatorName, 'meta.operatorName'),
    createdAtMs: requireFiniteNumber(meta.createdAtMs, 'meta.createdAtMs'),
  };
}

function checkContent(value: unknown): StateSnapshotContent {
  const content = requireRecord(value, 'content');
  const keyed = requireRecord(content.keyed, 'content.keyed');
  for (const stateName in keyed) checkKeyedEntries(keyed[stateName], stateName);
  const timers = requireRecord(content.timers, 'content.timers');
  const watermarkMs = content.watermarkMs;
  if (watermarkMs !== null) requireFiniteNumber(watermarkMs, 'content.watermarkMs', 'a number or null');
  return {
    keyed: keyed as StateSnapshotContent['keyed'],
    operator: requireRecord(content.operator, 'content.operator'),
    timers: {
      eventTime: checkTimers(timers.eventTime, 'content.timers.eventTime'),
      processingTime: checkTimers(timers.processingTime, 'content.timers.processingTime'),
    },
    watermarkMs: watermarkMs as number | null,
    ...(content.outbox === undefined ? {} : { outbox: checkOutbox(content.outbox) }),
  };
}

function checkOutbox(value: unknown): OutboxEntry[] {
  const path = 'content.outbox';
  if (!Array.isArray(value)) throw badShape(path, 'an array of outputs', value);
  for (let i = 0; i < value.length; i++) {
    const entry = requireRecord(value[i], `${path}[${i}]`);
    const checkpointId = entry.checkpointId;
    if (typeof checkpointId !== 'number' || !Number.isSafeInteger(checkpointId) || checkpointId < 0) {
      throw badShape(`${path}[${i}].checkpointId`, 'a non-negative integer', checkpointId);
    }
    requireString(entry.id, `${path}[${i}].id`);
    requireString(entry.key, `${path}[${i}].key`);
  }
  return value as OutboxEntry[];
}

function checkKeyedEntries(value: unknown, stateName: string): void {
  const path = `content.keyed[${JSON.stringify(stateName)}]`;
  if (!Array.isArray(value)) throw badShape(path, 'an array of [key, value] pairs', value);
  for (let i = 0; i < value.length; i++) {
    const pair: unknown = value[i];
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
      throw badShape(`${path}[${i}]`, 'a [string key, value] pair', pair);
    }
  }
}

function checkTimers(value: unknown, path: string): TimerEntry[] {
  if (!Array.isArray(value)) throw badShape(path, 'an array of timers', value);
  for (let i = 0; i < value.length; i++) {
    const timer = requireRecord(value[i], `${path}[${i}]`);
    requireString(timer.key, `${path}[${i}].key`);
    requireFiniteNumber(timer.timestampMs, `${path}[${i}].timestampMs`);
  }
  return value as TimerEntry[];
}

function requireRecord(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badShape(path, 'an object', value);
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw badShape(path, 'a plain object', value);
  return value as Record<string, unknown>;
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw badShape(path, 'a string', value);
  return value;
}

function requireFiniteNumber(value: unknown, path: string, expected = 'a finite number'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badShape(path, expected, value);
  return value;
}

function badShape(path: string, expected: string, found: unknown): SnapshotCorruptError {
  return new SnapshotCorruptError(
    'BAD_SHAPE',
    `expected ${path} to be ${expected}, found ${describe(found)}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value instanceof Map) return 'a Map';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `${typeof value} ${String(value)}`;
}
