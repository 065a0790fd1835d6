import { BadInputError, ConfigError } from '../errors/index.js';

/**
 * CheckpointStorage locations: `state.checkpoints.dir` / `state.savepoints.dir`
 * (`s3://bucket/prefix`) and the object keys built under them:
 *   <prefix>/<job>/chk-<id>/<shardId>-<uniqueId>.snap
 *   <prefix>/<job>/savepoint-<id>/<shardId>-<uniqueId>.snap
 * Prefixes returned here end with '/', so listing job "a" never matches job "ab".
 */
export interface StorageLocation {
  bucket: string;
  /** Without leading or trailing '/'; '' when the dir is the bucket root. */
  prefix: string;
}

// S3 bucket naming rules (general purpose buckets), minus the legacy uppercase forms.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;

function hasControlCharacter(value: string): boolean {
  return [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

export function parseStorageLocation(dir: unknown, fieldPath: string): StorageLocation {
  const expected = "expected 's3://<bucket>' or 's3://<bucket>/<prefix>'";
  if (typeof dir !== 'string' || !dir.startsWith('s3://')) {
    throw new ConfigError(fieldPath, `${expected}, found ${JSON.stringify(dir)}`);
  }
  const rest = dir.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (!BUCKET.test(bucket) || bucket.includes('..') || IP_ADDRESS.test(bucket)) {
    throw new ConfigError(
      fieldPath,
      `${expected} with a valid bucket name (3-63 lowercase letters, digits, '.' or '-'), found bucket ${JSON.stringify(bucket)} in ${JSON.stringify(dir)}`,
    );
  }
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  const segments = prefix === '' ? [] : prefix.split('/');
  const bad = segments.find((s) => s === '' || s === '.' || s === '..' || hasControlCharacter(s));
  if (bad !== undefined) {
    throw new ConfigError(
      fieldPath,
      `${expected} whose prefix has no empty, '.' or '..' segments and no control characters, found prefix ${JSON.stringify(prefix)}`,
    );
  }
  return { bucket, prefix };
}

function segment(name: string, value: string): string {
  if (value === '' || value.includes('/') || value === '.' || value === '..') {
    throw new BadInputError(
      `${name} must be a non-empty key segment without '/', found ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkpointIdSegment(checkpointId: number): string {
  if (!Number.isSafeInteger(checkpointId) || checkpointId < 0) {
    throw new BadInputError(`checkpoint id must be a non-negative integer, found ${checkpointId}`);
  }
  return String(checkpointId);
}

function join(prefix: string, ...segments: string[]): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? segments.join('/') : [trimmed, ...segments].join('/');
}

/** `<prefix>/<job>/`: everything a job ever stored under one dir. */
export function jobPrefix(prefix: string, jobId: string): string {
  return `${join(prefix, segment('job id', jobId))}/`;
}

/** `<prefix>/<job>/chk-<id>/`: every snapshot of one checkpoint. */
export function checkpointPrefix(prefix: string, jobId: string, checkpointId: number): string {
  return `${join(prefix, segment('job id', jobId), `chk-${checkpointIdSegment(checkpointId)}`)}/`;
}

/** `<prefix>/<job>/savepoint-<id>/`: every snapshot of one savepoint. */
export function savepointPrefix(prefix: string, jobId: string, savepointId: number): string {
  return `${join(prefix, segment('job id', jobId), `savepoint-${checkpointIdSegment(savepointId)}`)}/`;
}

function snapshotFile(shardId: string, uniqueId: string): string {
  return `${segment('shard id', shardId)}-${segment('unique id', uniqueId)}.snap`;
}

export function checkpointKey(
  prefix: string,
  jobId: string,
  checkpointId: number,
  shardId: string,
  uniqueId: string,
): string {
  return checkpointPrefix(prefix, jobId, checkpointId) + snapshotFile(shardId, uniqueId);
}

export function savepointKey(
  prefix: string,
  jobId: string,
  savepointId: number,
  shardId: string,
  uniqueId: string,
): string {
  return savepointPrefix(prefix, jobId, savepointId) + snapshotFile(shardId, uniqueId);
}
