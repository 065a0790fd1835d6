import { describe, expect, it } from 'vitest';
import { FLINK_KEY_INDEX } from '../../../core/config/flink-keys.js';
import {
  type CompileConfigInput,
  compileConfig,
  type FlinkValue,
  InvalidConfigError,
} from '../../../core/config/index.js';

const BASE = { jobId: 'orders-1', checkpointsDir: 's3://state-bucket/flinkless' } as const;

function compileFailure(input: CompileConfigInput): InvalidConfigError {
  try {
    compileConfig(input);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  throw new Error('expected compileConfig to throw InvalidConfigError');
}

/** [Flink key, value as in flink-conf.yaml, compiled field path, expected value]. */
const KEY_TABLE: ReadonlyArray<readonly [string, FlinkValue, string, unknown]> = [
  // Keys of Flink's checkpointing page (SEED.md), then their newer and older aliases.
  ['execution.checkpointing.interval', '10 s', 'intervalMs', 10_000],
  ['execution.checkpointing.mode', 'at_least_once', 'mode', 'AT_LEAST_ONCE'],
  ['execution.checkpointing.timeout', '1 min', 'timeoutMs', 60_000],
  ['execution.checkpointing.min-pause', '500 ms', 'minPauseMs', 500],
  ['execution.checkpointing.max-concurrent-checkpoints', '3', 'maxConcurrentCheckpoints', 3],
  ['execution.checkpointing.tolerable-failed-checkpoints', 2, 'tolerableFailedCheckpoints', 2],
  [
    'execution.checkpointing.externalized-checkpoint-retention',
    'RETAIN_ON_CANCELLATION',
    'externalizedCheckpointCleanup',
    'RETAIN_ON_CANCELLATION',
  ],
  ['execution.checkpointing.prefer-checkpoint-for-recovery', 'true', 'preferCheckpointForRecovery', true],
  ['state.backend', 'rocksdb', 'stateBackend', 'disk'],
  ['state.backend.type', 'hashmap', 'stateBackend', 'memory'],
  ['state.backend.async', 'false', 'asyncSnapshots', false],
  ['state.backend.fs.memory-threshold', '20 kb', 'memoryThresholdBytes', 20_480],
  ['state.storage.fs.memory-threshold', 2048, 'memoryThresholdBytes', 2048],
  ['execution.checkpointing.data-inline-threshold', '1kb', 'memoryThresholdBytes', 1024],
  ['state.backend.fs.write-buffer-size', '8192', 'writeBufferSizeBytes', 8192],
  ['state.storage.fs.write-buffer-size', '16 kb', 'writeBufferSizeBytes', 16_384],
  ['execution.checkpointing.write-buffer-size', 1_048_576, 'writeBufferSizeBytes', 1_048_576],
  ['state.backend.incremental', true, 'incrementalCheckpoints', true],
  ['execution.checkpointing.incremental', 'TRUE', 'incrementalCheckpoints', true],
  ['state.backend.local-recovery', 'true', 'localRecovery', true],
  ['execution.state-recovery.from-local', true, 'localRecovery', true],
  ['execution.checkpointing.local-backup.enabled', 'true', 'localRecovery', true],
  ['state.checkpoints.dir', 's3://other-bucket/ckpt', 'checkpointsDir', 's3://other-bucket/ckpt'],
  ['execution.checkpointing.dir', 's3p://other-bucket/ckpt/', 'checkpointsDir', 's3://other-bucket/ckpt'],
  ['state.backend.fs.checkpointdir', 's3://other-bucket', 'checkpointsDir', 's3://other-bucket'],
  ['state.checkpoints.num-retained', '3', 'numRetainedCheckpoints', 3],
  ['execution.checkpointing.num-retained', 5, 'numRetainedCheckpoints', 5],
  ['state.savepoints.dir', 's3://sp-bucket/sp', 'savepointsDir', 's3://sp-bucket/sp'],
  ['execution.checkpointing.savepoint-dir', 's3a://sp-bucket', 'savepointsDir', 's3://sp-bucket'],
  ['savepoints.state.backend.fs.dir', 's3://sp-bucket/x', 'savepointsDir', 's3://sp-bucket/x'],
  ['taskmanager.state.local.root-dirs', '/tmp/a,/tmp/b', 'localRootDirs', ['/tmp/a', '/tmp/b']],
  ['execution.checkpointing.local-backup.dirs', '/tmp/c:/tmp/d', 'localRootDirs', ['/tmp/c', '/tmp/d']],
  ['execution.checkpointing.snapshot-compression', 'true', 'snapshotCompression', 'zstd'],
  ['restart-strategy.type', 'fixed-delay', 'restartStrategy.type', 'fixed-delay'],
  ['restart-strategy', 'failurerate', 'restartStrategy.type', 'failure-rate'],
];

/** Restart strategy parameters: [key, value, strategy type, field, expected]. */
const RESTART_TABLE: ReadonlyArray<readonly [string, FlinkValue, string, string, unknown]> = [
  ['restart-strategy.fixed-delay.attempts', '3', 'fixed-delay', 'attempts', 3],
  ['restart-strategy.fixed-delay.delay', '10 s', 'fixed-delay', 'delayMs', 10_000],
  ['restart-strategy.failure-rate.max-failures-per-interval', 4, 'failure-rate', 'maxFailuresPerInterval', 4],
  [
    'restart-strategy.failure-rate.failure-rate-interval',
    '5 min',
    'failure-rate',
    'failureRateIntervalMs',
    300_000,
  ],
  ['restart-strategy.failure-rate.delay', '2 s', 'failure-rate', 'delayMs', 2_000],
  [
    'restart-strategy.exponential-delay.initial-backoff',
    '10 s',
    'exponential-delay',
    'initialBackoffMs',
    10_000,
  ],
  ['restart-strategy.exponential-delay.max-backoff', '2 min', 'exponential-delay', 'maxBackoffMs', 120_000],
  [
    'restart-strategy.exponential-delay.backoff-multiplier',
    '1.4',
    'exponential-delay',
    'backoffMultiplier',
    1.4,
  ],
  [
    'restart-strategy.exponential-delay.reset-backoff-threshold',
    '10 min',
    'exponential-delay',
    'resetBackoffThresholdMs',
    600_000,
  ],
  ['restart-strategy.exponential-delay.jitter-factor', 0.2, 'exponential-delay', 'jitterFactor', 0.2],
  [
    'restart-strategy.exponential-delay.attempts-before-reset-backoff',
    '10',
    'exponential-delay',
    'attemptsBeforeResetBackoff',
    10,
  ],
];

function field(config: object, path: string): unknown {
  return path.split('.').reduce<unknown>((value, name) => (value as Record<string, unknown>)[name], config);
}

describe('Flink configuration keys', () => {
  it.each(KEY_TABLE)('%s: %j sets %s to %j', (key, raw, path, expected) => {
    // Prepare
    const base = path === 'checkpointsDir' ? { jobId: 'orders-1' } : BASE;

    // Act
    const config = compileConfig({ ...base, flinkConf: { [key]: raw } });

    // Assess
    expect(field(config, path)).toEqual(expected);
  });

  it.each(RESTART_TABLE)('%s: %j sets the %s strategy’s %s to %j', (key, raw, type, name, expected) => {
    const config = compileConfig({ ...BASE, flinkConf: { 'restart-strategy.type': type, [key]: raw } });

    expect(config.restartStrategy.type).toBe(type);
    expect(field(config, `restartStrategy.${name}`)).toEqual(expected);
  });

  it('covers every Flink key the compiler knows in the tables above', () => {
    const tested = new Set([...KEY_TABLE.map(([key]) => key), ...RESTART_TABLE.map(([key]) => key)]);

    expect([...FLINK_KEY_INDEX.keys()].filter((key) => !tested.has(key))).toEqual([]);
  });

  it('knows every configuration key listed on Flink’s checkpointing page', () => {
    const seedKeys = [
      'state.backend',
      'state.backend.async',
      'state.backend.fs.memory-threshold',
      'state.backend.fs.write-buffer-size',
      'state.backend.incremental',
      'state.backend.local-recovery',
      'state.checkpoints.dir',
      'state.checkpoints.num-retained',
      'state.savepoints.dir',
      'taskmanager.state.local.root-dirs',
    ];

    expect(seedKeys.filter((key) => !FLINK_KEY_INDEX.has(key))).toEqual([]);
  });

  it('names the Flink key, the value found and the allowed range for a bad value', () => {
    const error = compileFailure({ ...BASE, flinkConf: { 'state.backend.fs.memory-threshold': '1 mb' } });

    expect(error.issues).toEqual([
      {
        path: 'flinkConf["state.backend.fs.memory-threshold"]',
        message:
          'expected an integer from 0 to 307200 (bytes; inline snapshots must fit a 400 KB DynamoDB item), found 1048576',
      },
    ]);
  });

  it('names the Flink key when a duration cannot be read', () => {
    const error = compileFailure({ ...BASE, flinkConf: { 'execution.checkpointing.interval': 'often' } });

    expect(error.message).toMatch(
      /^flinkConf\["execution.checkpointing.interval"\]: expected a duration.*"often"/,
    );
  });

  it('treats NO_EXTERNALIZED_CHECKPOINTS as DELETE_ON_CANCELLATION and says so', () => {
    const config = compileConfig({
      ...BASE,
      intervalMs: 1000,
      flinkConf: {
        'execution.checkpointing.externalized-checkpoint-retention': 'NO_EXTERNALIZED_CHECKPOINTS',
      },
    });

    expect(config.externalizedCheckpointCleanup).toBe('DELETE_ON_CANCELLATION');
    expect(config.warnings).toEqual([expect.stringContaining('NO_EXTERNALIZED_CHECKPOINTS is treated as')]);
  });
});

describe('Flink keys that are unknown or not supported', () => {
  it('refuses a misspelt key and names the closest known key', () => {
    const error = compileFailure({ ...BASE, flinkConf: { 'state.checkpoint.dir': 's3://b-1/x' } });

    expect(error.issues).toEqual([
      {
        path: 'flinkConf["state.checkpoint.dir"]',
        message: expect.stringContaining(
          'unknown Flink key; the closest known key is "state.checkpoints.dir"',
        ),
      },
    ]);
  });

  it('refuses a cluster key from an unrelated namespace as not supported by flinkless', () => {
    const error = compileFailure({ ...BASE, flinkConf: { 'taskmanager.numberOfTaskSlots': 4 } });

    expect(error.issues[0]?.message).toMatch(
      /not supported by flinkless: 'taskmanager\.\*' settings configure/,
    );
  });

  it('refuses RocksDB tuning keys with the reason', () => {
    const error = compileFailure({ ...BASE, flinkConf: { 'state.backend.rocksdb.memory.managed': true } });

    expect(error.issues[0]?.message).toContain(
      "not supported by flinkless: the 'disk' state backend is not RocksDB",
    );
  });

  it.each<[string, FlinkValue]>([
    ['execution.checkpointing.unaligned', false],
    ['execution.checkpointing.unaligned.enabled', 'false'],
    ['execution.checkpointing.aligned-checkpoint-timeout', '0 s'],
    ['execution.checkpointing.alignment-timeout', 0],
    ['execution.checkpointing.storage', 'filesystem'],
    ['state.checkpoint-storage', 'filesystem'],
  ])('accepts %s = %j, which matches what flinkless always does', (key, raw) => {
    expect(() => compileConfig({ ...BASE, flinkConf: { [key]: raw } })).not.toThrow();
  });

  it.each<[string, FlinkValue, RegExp]>([
    ['execution.checkpointing.unaligned', true, /single input, so barriers never wait for alignment/],
    ['execution.checkpointing.aligned-checkpoint-timeout', '30 s', /only matters with unaligned checkpoints/],
    ['execution.checkpointing.storage', 'jobmanager', /always goes to S3/],
  ])('refuses %s = %j and explains why it has no flinkless equivalent', (key, raw, reason) => {
    const error = compileFailure({ ...BASE, flinkConf: { [key]: raw } });

    expect(error.issues[0]?.message).toMatch(reason);
  });

  it('refuses a flinkConf that is not an object of keys', () => {
    const error = compileFailure({ ...BASE, flinkConf: 'interval=10s' as never });

    expect(error.issues[0]?.path).toBe('flinkConf');
  });
});

describe('typed options and Flink keys together', () => {
  it('merges options given partly typed and partly as Flink keys', () => {
    const config = compileConfig({
      jobId: 'orders-1',
      intervalMs: 5000,
      flinkConf: {
        'state.checkpoints.dir': 's3://bucket-a/c',
        'execution.checkpointing.mode': 'AT_LEAST_ONCE',
      },
    });

    expect(config).toMatchObject({
      intervalMs: 5000,
      checkpointsDir: 's3://bucket-a/c',
      mode: 'AT_LEAST_ONCE',
    });
  });

  it('accepts a typed option and a Flink key that agree once parsed', () => {
    const config = compileConfig({
      ...BASE,
      intervalMs: 10_000,
      flinkConf: { 'execution.checkpointing.interval': '10 s' },
    });

    expect(config.intervalMs).toBe(10_000);
  });

  it('rejects a typed option and a Flink key that disagree, naming both', () => {
    const error = compileFailure({
      ...BASE,
      intervalMs: 5000,
      flinkConf: { 'execution.checkpointing.interval': '10 s' },
    });

    expect(error.issues).toEqual([
      {
        path: 'checkpointing.intervalMs',
        message:
          '5000 disagrees with flinkConf["execution.checkpointing.interval"] = "10 s" (10000); both set intervalMs, keep one of them',
      },
    ]);
  });

  it('rejects two Flink aliases of one option that disagree, naming both keys', () => {
    const error = compileFailure({
      jobId: 'orders-1',
      flinkConf: { 'state.checkpoints.dir': 's3://bucket-a', 'execution.checkpointing.dir': 's3://bucket-b' },
    });

    expect(error.message).toContain(
      'flinkConf["execution.checkpointing.dir"]: "s3://bucket-b" disagrees with',
    );
    expect(error.message).toContain('flinkConf["state.checkpoints.dir"] = "s3://bucket-a"');
  });
});
