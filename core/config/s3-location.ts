import { type Checked, ok, problem, show } from './check.js';

/**
 * `s3://bucket[/prefix]` directories for checkpoints and savepoints. Flink users often
 * write the Hadoop/Presto schemes (s3a://, s3n://, s3p://); they name the same
 * objects, so they are accepted and normalized to s3://, without a trailing slash.
 */
export interface S3Location {
  readonly bucket: string;
  /** Key prefix without leading or trailing '/'; '' for the bucket root. */
  readonly prefix: string;
}

const URI = /^(s3|s3a|s3n|s3p):\/\/([^/]*)(\/.*)?$/;
// S3 general purpose bucket naming rules, minus the rarely used legacy forms.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const EXPECTED = 'expected s3://bucket or s3://bucket/prefix';

export function parseS3Location(uri: unknown): Checked<S3Location> {
  if (typeof uri !== 'string') return problem(`${EXPECTED}, found ${show(uri)}`);
  const match = URI.exec(uri.trim());
  if (match === null) return problem(`${EXPECTED}, found ${show(uri)}`);
  const bucket = match[2] ?? '';
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    return problem(
      `${EXPECTED} where bucket is 3-63 lower-case letters, digits, '.' or '-', found bucket ${show(bucket)} in ${show(uri)}`,
    );
  }
  // Only the separator after the bucket and trailing slashes go: 's3://b//x' is the key prefix '/x', refused below.
  const prefix = (match[3] ?? '').slice(1).replace(/\/+$/, '');
  const segments = prefix === '' ? [] : prefix.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return problem(`${EXPECTED} without empty, '.' or '..' path segments, found ${show(uri)}`);
  }
  return ok({ bucket, prefix });
}

export function formatS3Location(location: S3Location): string {
  return location.prefix === '' ? `s3://${location.bucket}` : `s3://${location.bucket}/${location.prefix}`;
}

/** Checker for a directory option: validates and returns the normalized URI. */
export function s3Directory(value: unknown): Checked<string> {
  const parsed = parseS3Location(value);
  return parsed.ok ? ok(formatS3Location(parsed.value)) : parsed;
}

/** True when `inner` is `outer` itself or a directory below it. */
export function isSameOrBelow(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}
