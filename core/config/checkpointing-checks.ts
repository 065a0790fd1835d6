import { type Checked, ok, problem, show } from './check.js';

/** Checks specific to single checkpointing options, and the limits behind them. */

/** Flink refuses intervals and timeouts below 10 ms (CheckpointConfig.MINIMAL_CHECKPOINT_TIME). */
export const MINIMAL_CHECKPOINT_TIME_MS = 10;
/** Inline snapshots ride in a DynamoDB ack item (400 KB limit); keep well under it. */
export const MAX_MEMORY_THRESHOLD_BYTES = 300 * 1024;
/** Lambda's event source mapping accepts ParallelizationFactor 1..10. */
export const MAX_PARALLELIZATION_FACTOR = 10;

const JOB_ID = /^[A-Za-z0-9._-]{1,64}$/;

export const jobId = (value: unknown): Checked<string> =>
  typeof value === 'string' && JOB_ID.test(value)
    ? ok(value)
    : problem(`expected 1 to 64 characters from [A-Za-z0-9._-], found ${show(value)}`);

export const STATE_BACKENDS: Readonly<Record<string, 'memory' | 'disk'>> = {
  memory: 'memory',
  disk: 'disk',
  hashmap: 'memory',
  jobmanager: 'memory',
  filesystem: 'memory',
  rocksdb: 'disk',
};

export const stateBackend = (value: unknown): Checked<'memory' | 'disk'> => {
  const kind = typeof value === 'string' ? STATE_BACKENDS[value] : undefined;
  return kind === undefined
    ? problem(
        `expected 'memory' or 'disk' (Flink names: 'hashmap', 'jobmanager', 'filesystem' = memory, 'rocksdb' = disk), found ${show(value)}`,
      )
    : ok(kind);
};

/** Lambda can write only below /tmp, so another root works locally but not when deployed. */
export const localRootDirs = (value: unknown): Checked<readonly string[]> => {
  const expected = 'expected a non-empty list of absolute directories such as ["/tmp"]';
  if (!Array.isArray(value) || value.length === 0) return problem(`${expected}, found ${show(value)}`);
  if (!value.every((dir) => typeof dir === 'string' && dir.startsWith('/'))) {
    return problem(`${expected}, found ${show(value)}`);
  }
  const dirs = value.map((dir: string) => (dir.length > 1 ? dir.replace(/\/+$/, '') : dir));
  const outside = dirs.filter((dir) => dir !== '/tmp' && !dir.startsWith('/tmp/'));
  return ok(
    dirs,
    outside.length === 0
      ? undefined
      : `localRootDirs ${show(outside)} are outside /tmp: AWS Lambda can write only below /tmp, so local recovery copies there fail when deployed`,
  );
};
