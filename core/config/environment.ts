import { isPlainObject, show } from './check.js';
import { type ConfigIssue, InvalidConfigError } from './invalid-config-error.js';
import type { CompileConfigInput } from './types.js';

/**
 * Maps FLINKLESS_* environment variables onto checkpointing options. Pure: the
 * Lambda wiring passes the environment in (core never reads it). Only the syntax is
 * checked here (numbers, booleans, JSON); compileConfig validates the values.
 * An empty variable counts as unset. Other FLINKLESS_* variables are left alone:
 * the wiring uses that prefix for its own settings too.
 *
 * | Variable                                 | Option                          | Format                        |
 * |------------------------------------------|---------------------------------|-------------------------------|
 * | FLINKLESS_JOB_ID (required)              | jobId                           | text                          |
 * | FLINKLESS_CHECKPOINTS_DIR                | checkpointsDir                  | s3://bucket[/prefix]          |
 * | FLINKLESS_SAVEPOINTS_DIR                 | savepointsDir                   | s3://bucket[/prefix]          |
 * | FLINKLESS_INTERVAL_MS                    | intervalMs                      | integer                       |
 * | FLINKLESS_MODE                           | mode                            | EXACTLY_ONCE / AT_LEAST_ONCE  |
 * | FLINKLESS_TIMEOUT_MS                     | timeoutMs                       | integer                       |
 * | FLINKLESS_MIN_PAUSE_MS                   | minPauseMs                      | integer                       |
 * | FLINKLESS_MAX_CONCURRENT_CHECKPOINTS     | maxConcurrentCheckpoints        | integer                       |
 * | FLINKLESS_TOLERABLE_FAILED_CHECKPOINTS   | tolerableFailedCheckpoints      | integer                       |
 * | FLINKLESS_FAIL_ON_CHECKPOINTING_ERRORS   | failOnCheckpointingErrors       | true / false                  |
 * | FLINKLESS_EXTERNALIZED_CHECKPOINT_CLEANUP| externalizedCheckpointCleanup   | RETAIN_/DELETE_ON_CANCELLATION|
 * | FLINKLESS_PREFER_CHECKPOINT_FOR_RECOVERY | preferCheckpointForRecovery     | true / false                  |
 * | FLINKLESS_NUM_RETAINED_CHECKPOINTS       | numRetainedCheckpoints          | integer                       |
 * | FLINKLESS_STATE_BACKEND                  | stateBackend                    | memory / disk / Flink name    |
 * | FLINKLESS_ASYNC_SNAPSHOTS                | asyncSnapshots                  | true / false                  |
 * | FLINKLESS_MEMORY_THRESHOLD_BYTES         | memoryThresholdBytes            | integer                       |
 * | FLINKLESS_WRITE_BUFFER_SIZE_BYTES        | writeBufferSizeBytes            | integer                       |
 * | FLINKLESS_INCREMENTAL_CHECKPOINTS        | incrementalCheckpoints          | true / false                  |
 * | FLINKLESS_LOCAL_RECOVERY                 | localRecovery                   | true / false                  |
 * | FLINKLESS_LOCAL_ROOT_DIRS                | localRootDirs                   | comma-separated directories   |
 * | FLINKLESS_SNAPSHOT_COMPRESSION           | snapshotCompression             | none / zstd                   |
 * | FLINKLESS_FORCE                          | force                           | true / false                  |
 * | FLINKLESS_PARALLELIZATION_FACTOR         | parallelizationFactor           | integer                       |
 * | FLINKLESS_SUPERVISOR_INTERVAL_MS         | supervisorIntervalMs            | integer                       |
 * | FLINKLESS_RESTART_STRATEGY               | restartStrategy                 | type name, or JSON object     |
 * | FLINKLESS_FLINK_CONF                     | flinkConf                       | JSON object of Flink keys     |
 */
type Format = 'text' | 'integer' | 'boolean' | 'list' | 'restart-strategy' | 'json-object';

export const CHECKPOINTING_ENVIRONMENT_VARIABLES: ReadonlyArray<{
  readonly name: string;
  readonly option: keyof CompileConfigInput;
  readonly format: Format;
}> = [
  { name: 'FLINKLESS_JOB_ID', option: 'jobId', format: 'text' },
  { name: 'FLINKLESS_CHECKPOINTS_DIR', option: 'checkpointsDir', format: 'text' },
  { name: 'FLINKLESS_SAVEPOINTS_DIR', option: 'savepointsDir', format: 'text' },
  { name: 'FLINKLESS_INTERVAL_MS', option: 'intervalMs', format: 'integer' },
  { name: 'FLINKLESS_MODE', option: 'mode', format: 'text' },
  { name: 'FLINKLESS_TIMEOUT_MS', option: 'timeoutMs', format: 'integer' },
  { name: 'FLINKLESS_MIN_PAUSE_MS', option: 'minPauseMs', format: 'integer' },
  { name: 'FLINKLESS_MAX_CONCURRENT_CHECKPOINTS', option: 'maxConcurrentCheckpoints', format: 'integer' },
  { name: 'FLINKLESS_TOLERABLE_FAILED_CHECKPOINTS', option: 'tolerableFailedCheckpoints', format: 'integer' },
  { name: 'FLINKLESS_FAIL_ON_CHECKPOINTING_ERRORS', option: 'failOnCheckpointingErrors', format: 'boolean' },
  {
    name: 'FLINKLESS_EXTERNALIZED_CHECKPOINT_CLEANUP',
    option: 'externalizedCheckpointCleanup',
    format: 'text',
  },
  {
    name: 'FLINKLESS_PREFER_CHECKPOINT_FOR_RECOVERY',
    option: 'preferCheckpointForRecovery',
    format: 'boolean',
  },
  { name: 'FLINKLESS_NUM_RETAINED_CHECKPOINTS', option: 'numRetainedCheckpoints', format: 'integer' },
  { name: 'FLINKLESS_STATE_BACKEND', option: 'stateBackend', format: 'text' },
  { name: 'FLINKLESS_ASYNC_SNAPSHOTS', option: 'asyncSnapshots', format: 'boolean' },
  { name: 'FLINKLESS_MEMORY_THRESHOLD_BYTES', option: 'memoryThresholdBytes', format: 'integer' },
  { name: 'FLINKLESS_WRITE_BUFFER_SIZE_BYTES', option: 'writeBufferSizeBytes', format: 'integer' },
  { name: 'FLINKLESS_INCREMENTAL_CHECKPOINTS', option: 'incrementalCheckpoints', format: 'boolean' },
  { name: 'FLINKLESS_LOCAL_RECOVERY', option: 'localRecovery', format: 'boolean' },
  { name: 'FLINKLESS_LOCAL_ROOT_DIRS', option: 'localRootDirs', format: 'list' },
  { name: 'FLINKLESS_SNAPSHOT_COMPRESSION', option: 'snapshotCompression', format: 'text' },
  { name: 'FLINKLESS_FORCE', option: 'force', format: 'boolean' },
  { name: 'FLINKLESS_SUPERVISOR_INTERVAL_MS', option: 'supervisorIntervalMs', format: 'integer' },
  { name: 'FLINKLESS_PARALLELIZATION_FACTOR', option: 'parallelizationFactor', format: 'integer' },
  { name: 'FLINKLESS_RESTART_STRATEGY', option: 'restartStrategy', format: 'restart-strategy' },
  { name: 'FLINKLESS_FLINK_CONF', option: 'flinkConf', format: 'json-object' },
];

export function configFromEnvironmentRecord(
  env: Readonly<Record<string, string | undefined>>,
): CompileConfigInput {
  const options: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const variable of CHECKPOINTING_ENVIRONMENT_VARIABLES) {
    const text = env[variable.name]?.trim();
    if (text === undefined || text === '') continue;
    const parsed = parse(text, variable.format);
    if (parsed.ok) options[variable.option] = parsed.value;
    else issues.push({ path: `env.${variable.name}`, message: `${parsed.expected}, found ${show(text)}` });
  }
  if (options.jobId === undefined && !issues.some((issue) => issue.path === 'env.FLINKLESS_JOB_ID')) {
    issues.push({ path: 'env.FLINKLESS_JOB_ID', message: 'required but missing; set it to the job id' });
  }
  if (issues.length > 0) throw new InvalidConfigError(issues);
  return options as unknown as CompileConfigInput;
}

type Parsed = { ok: true; value: unknown } | { ok: false; expected: string };

function parse(text: string, format: Format): Parsed {
  switch (format) {
    case 'text':
      return { ok: true, value: text };
    case 'integer':
      return /^-?\d+$/.test(text)
        ? { ok: true, value: Number(text) }
        : { ok: false, expected: 'expected a whole number' };
    case 'boolean': {
      const lower = text.toLowerCase();
      return lower === 'true' || lower === 'false'
        ? { ok: true, value: lower === 'true' }
        : { ok: false, expected: 'expected true or false' };
    }
    case 'list':
      return {
        ok: true,
        value: text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      };
    case 'restart-strategy':
      return text.startsWith('{')
        ? parseJsonObject(
            text,
            'expected a restart strategy type or a JSON object such as {"type":"fixed-delay","attempts":3}',
          )
        : { ok: true, value: { type: text } };
    case 'json-object':
      return parseJsonObject(
        text,
        'expected a JSON object of Flink keys such as {"execution.checkpointing.interval":"10 s"}',
      );
  }
}

function parseJsonObject(text: string, expected: string): Parsed {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? { ok: true, value } : { ok: false, expected };
  } catch {
    return { ok: false, expected };
  }
}
