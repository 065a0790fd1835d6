import { describe, expect, it } from 'vitest';
import {
  type CheckpointConfig,
  type CompileConfigInput,
  compileConfig,
  effectiveWriteBufferBytes,
  InvalidConfigError,
} from '../../../core/config/index.js';
import { ConfigError, isCheckpointError } from '../../../core/errors/index.js';

const BASE = { jobId: 'orders-1', checkpointsDir: 's3://state-bucket/flinkless' } as const;

function compileFailure(input: unknown): InvalidConfigError {
  try {
    compileConfig(input as CompileConfigInput);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  throw new Error('expected compileConfig to throw InvalidConfigError');
}

describe('compileConfig supervisorIntervalMs', () => {
  it('accepts whole seconds up to an hour and refuses less than a second, naming the field', () => {
    // Act
    const config = compileConfig({ ...BASE, supervisorIntervalMs: 60_000 });
    const error = compileFailure({ ...BASE, supervisorIntervalMs: 500 });

    // Assess
    expect(config.supervisorIntervalMs).toBe(60_000);
    expect(error.message).toContain('supervisorIntervalMs');
  });
});

describe('compileConfig defaults', () => {
  it('fills every option with its Flink default when only jobId and checkpointsDir are given', () => {
    // Prepare / Act
    const config = compileConfig({ ...BASE });

    // Assess
    expect(config).toEqual<CheckpointConfig>({
      jobId: 'orders-1',
      intervalMs: undefined,
      mode: 'EXACTLY_ONCE',
      timeoutMs: 600_000,
      minPauseMs: 0,
      maxConcurrentCheckpoints: 1,
      tolerableFailedCheckpoints: 0,
      externalizedCheckpointCleanup: 'DELETE_ON_CANCELLATION',
      preferCheckpointForRecovery: false,
      numRetainedCheckpoints: 1,
      checkpointsDir: 's3://state-bucket/flinkless',
      savepointsDir: 's3://state-bucket/flinkless/savepoints',
      stateBackend: 'memory',
      asyncSnapshots: true,
      memoryThresholdBytes: 1024,
      writeBufferSizeBytes: 4096,
      incrementalCheckpoints: false,
      localRecovery: false,
      localRootDirs: ['/tmp'],
      snapshotCompression: 'none',
      force: false,
      parallelizationFactor: 1,
      supervisorIntervalMs: 300_000,
      restartStrategy: { type: 'none' },
      warnings: [expect.stringContaining('checkpointing is disabled')],
    });
  });

  it('defaults to the exponential-delay restart strategy with Flink defaults once checkpointing is enabled', () => {
    const config = compileConfig({ ...BASE, intervalMs: 10_000 });

    expect(config.restartStrategy).toEqual({
      type: 'exponential-delay',
      initialBackoffMs: 1_000,
      maxBackoffMs: 60_000,
      backoffMultiplier: 1.5,
      resetBackoffThresholdMs: 3_600_000,
      jitterFactor: 0.1,
      attemptsBeforeResetBackoff: 2_147_483_647,
    });
    expect(config.warnings).toEqual([]);
  });

  it('accepts the example settings of the Flink checkpointing page', () => {
    const config = compileConfig({
      ...BASE,
      intervalMs: 1000,
      mode: 'EXACTLY_ONCE',
      minPauseMs: 500,
      timeoutMs: 60_000,
      maxConcurrentCheckpoints: 1,
      externalizedCheckpointCleanup: 'RETAIN_ON_CANCELLATION',
      preferCheckpointForRecovery: true,
    });

    expect(config).toMatchObject({ intervalMs: 1000, minPauseMs: 500, timeoutMs: 60_000 });
    expect(config.externalizedCheckpointCleanup).toBe('RETAIN_ON_CANCELLATION');
  });

  it('computes the effective write buffer as the larger of write buffer and memory threshold', () => {
    const small = compileConfig({ ...BASE, writeBufferSizeBytes: 4096, memoryThresholdBytes: 1024 });
    const large = compileConfig({ ...BASE, writeBufferSizeBytes: 4096, memoryThresholdBytes: 20_480 });

    expect(effectiveWriteBufferBytes(small)).toBe(4096);
    expect(effectiveWriteBufferBytes(large)).toBe(20_480);
  });
});

describe('compileConfig freezes its result', () => {
  it('returns an object whose fields, lists and restart strategy cannot be changed', () => {
    const config = compileConfig({ ...BASE, intervalMs: 1000 });

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.localRootDirs)).toBe(true);
    expect(Object.isFrozen(config.restartStrategy)).toBe(true);
    expect(Object.isFrozen(config.warnings)).toBe(true);
    expect(() => {
      (config as { timeoutMs: number }).timeoutMs = 1;
    }).toThrow(TypeError);
  });

  it('does not share the caller’s arrays', () => {
    const dirs = ['/tmp/a'];
    const config = compileConfig({ ...BASE, localRootDirs: dirs });

    dirs.push('/tmp/b');

    expect(config.localRootDirs).toEqual(['/tmp/a']);
  });
});

describe('compileConfig validates each option', () => {
  it.each<[string, unknown[], unknown[], RegExp]>([
    [
      'jobId',
      ['a', 'job_1.v-2', 'x'.repeat(64)],
      ['', 'has space', 'x'.repeat(65), 'a/b', 7],
      /\[A-Za-z0-9._-\]/,
    ],
    ['intervalMs', [10, 1000], [9, 0, -1, 1.5, '1000'], /integer >= 10 \(milliseconds; omit it to disable/],
    ['mode', ['EXACTLY_ONCE', 'AT_LEAST_ONCE'], ['exactly_once', 'ONCE'], /'EXACTLY_ONCE', 'AT_LEAST_ONCE'/],
    ['timeoutMs', [10, 60_000], [9, -5, 2.5], /integer >= 10/],
    ['minPauseMs', [0, 5000], [-1, 0.5, '5 s'], /integer >= 0/],
    ['maxConcurrentCheckpoints', [1, 3], [0, -1, 1.5], /integer >= 1/],
    ['tolerableFailedCheckpoints', [0, 5], [-1, 0.5], /integer >= 0/],
    [
      'externalizedCheckpointCleanup',
      ['RETAIN_ON_CANCELLATION', 'DELETE_ON_CANCELLATION'],
      ['KEEP'],
      /ON_CANCELLATION/,
    ],
    ['preferCheckpointForRecovery', [true, false], ['true', 1], /true or false/],
    ['numRetainedCheckpoints', [1, 10], [0, -2, 1.5], /integer >= 1/],
    [
      'checkpointsDir',
      ['s3://bucket', 's3://bucket/a/b/'],
      ['bucket', 'file:///tmp', 's3://B', 's3://bucket//x'],
      /s3:\/\/bucket/,
    ],
    ['savepointsDir', ['s3://other-bucket/sp'], ['/tmp/sp', 's3://x'], /s3:\/\/bucket/],
    ['stateBackend', ['memory', 'disk', 'hashmap', 'rocksdb'], ['heap', 'RocksDB'], /'memory' or 'disk'/],
    ['asyncSnapshots', [true, false], ['yes'], /true or false/],
    [
      'memoryThresholdBytes',
      [0, 1024, 307_200],
      [-1, 307_201, 400_000],
      /from 0 to 307200 \(bytes; inline snapshots/,
    ],
    ['writeBufferSizeBytes', [1, 4096], [0, -1, 1.5], /integer >= 1/],
    ['incrementalCheckpoints', [true, false], ['false'], /true or false/],
    ['localRecovery', [true, false], [0], /true or false/],
    [
      'localRootDirs',
      [['/tmp'], ['/tmp/a', '/tmp/b']],
      [[], ['relative/dir'], '/tmp'],
      /absolute directories/,
    ],
    ['snapshotCompression', ['none', 'zstd'], ['gzip', true], /'none', 'zstd'/],
    ['force', [true, false], ['force'], /true or false/],
    ['parallelizationFactor', [1], [0, 11, 1.5], /integer from 1 to 10/],
  ])(
    '%s accepts good values and names the field and the allowed range for bad ones',
    (option, good, bad, allowed) => {
      for (const value of good) {
        expect(() => compileConfig({ ...BASE, [option]: value })).not.toThrow();
      }
      for (const value of bad) {
        const error = compileFailure({ ...BASE, [option]: value });
        expect(error.issues).toEqual([
          { path: `checkpointing.${option}`, message: expect.stringMatching(allowed) },
        ]);
        expect(error.message).toContain(`checkpointing.${option}: `);
        expect(error.message).toContain('found');
      }
    },
  );

  it('normalizes Flink state backend names and S3 schemes', () => {
    const config = compileConfig({
      jobId: 'j',
      checkpointsDir: 's3a://bucket/prefix/',
      stateBackend: 'rocksdb',
    });

    expect(config.stateBackend).toBe('disk');
    expect(config.checkpointsDir).toBe('s3://bucket/prefix');
  });

  it('requires jobId and checkpointsDir, saying how to set them', () => {
    const error = compileFailure({});

    expect(error.issues.map((issue) => issue.path)).toEqual([
      'checkpointing.jobId',
      'checkpointing.checkpointsDir',
    ]);
    expect(error.issues[1]?.message).toContain('flinkConf["state.checkpoints.dir"]');
  });

  it('refuses a non-object input', () => {
    expect(compileFailure(null).message).toMatch(/^checkpointing: expected an options object/);
  });

  it('refuses an unknown typed option and suggests the closest one', () => {
    const error = compileFailure({ ...BASE, intervalMS: 1000 });

    expect(error.issues).toEqual([
      { path: 'checkpointing.intervalMS', message: expect.stringContaining('did you mean intervalMs?') },
    ]);
  });

  it('collects every problem into one error that is a ConfigError with reason CONFIG_INVALID', () => {
    const error = compileFailure({ ...BASE, timeoutMs: 0, numRetainedCheckpoints: 0, mode: 'SOMETIMES' });

    expect(error).toBeInstanceOf(ConfigError);
    expect(isCheckpointError(error, 'CONFIG_INVALID')).toBe(true);
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'checkpointing.mode',
      'checkpointing.timeoutMs',
      'checkpointing.numRetainedCheckpoints',
    ]);
    expect(error.path).toBe('checkpointing');
    expect(error.message).toMatch(/^checkpointing: 3 configuration problems/);
  });
});

describe('compileConfig cross-field rules', () => {
  it('rejects a minimum pause together with more than one concurrent checkpoint, naming both fields', () => {
    const error = compileFailure({ ...BASE, minPauseMs: 500, maxConcurrentCheckpoints: 2 });

    expect(error.issues).toHaveLength(1);
    expect(error.message).toContain('checkpointing.minPauseMs: 500 cannot be combined with');
    expect(error.message).toContain('checkpointing.maxConcurrentCheckpoints = 2');
  });

  it('names the Flink keys when the pause and the concurrency came from flinkConf', () => {
    const error = compileFailure({
      ...BASE,
      flinkConf: {
        'execution.checkpointing.min-pause': '1 s',
        'execution.checkpointing.max-concurrent-checkpoints': 3,
      },
    });

    expect(error.message).toContain(
      'flinkConf["execution.checkpointing.min-pause"]: 1000 cannot be combined with',
    );
    expect(error.message).toContain('flinkConf["execution.checkpointing.max-concurrent-checkpoints"] = 3');
  });

  it('rejects more retained plus pending checkpoints than the 63 ack slots a trigger can leave free, naming both fields', () => {
    const error = compileFailure({ ...BASE, numRetainedCheckpoints: 60, maxConcurrentCheckpoints: 4 });

    expect(error.issues).toHaveLength(1);
    expect(error.message).toContain('checkpointing.numRetainedCheckpoints: 60 plus');
    expect(error.message).toContain('checkpointing.maxConcurrentCheckpoints = 4 is 64, expected at most 63');
  });

  it('allows 62 retained checkpoints with one pending', () => {
    expect(() => compileConfig({ ...BASE, numRetainedCheckpoints: 62 })).not.toThrow();
  });

  it.each([
    [0, 4],
    [500, 1],
  ])('allows minPauseMs %i with maxConcurrentCheckpoints %i', (minPauseMs, maxConcurrentCheckpoints) => {
    expect(() => compileConfig({ ...BASE, minPauseMs, maxConcurrentCheckpoints })).not.toThrow();
  });

  it('rejects a parallelization factor above 1 in exactly-once mode and explains why', () => {
    const error = compileFailure({ ...BASE, parallelizationFactor: 2 });

    expect(error.issues).toEqual([
      {
        path: 'checkpointing.parallelizationFactor',
        message: expect.stringMatching(
          /expected 1 in EXACTLY_ONCE mode, found 2: .*out of order.*AT_LEAST_ONCE/,
        ),
      },
    ]);
  });

  it('allows a parallelization factor above 1 in at-least-once mode', () => {
    const config = compileConfig({ ...BASE, mode: 'AT_LEAST_ONCE', parallelizationFactor: 10 });

    expect(config.parallelizationFactor).toBe(10);
  });

  it.each([
    ['s3://state-bucket/flinkless/orders-1', 'equal to'],
    ['s3://state-bucket/flinkless/orders-1/sp', 'inside'],
    ['s3://state-bucket/flinkless', 'the same as the checkpoints directory, so per-job folders collide with'],
  ])('refuses savepointsDir %s (%s the job’s garbage-collected checkpoint folder)', (savepointsDir) => {
    const error = compileFailure({ ...BASE, savepointsDir });

    expect(error.issues).toEqual([
      { path: 'checkpointing.savepointsDir', message: expect.stringContaining('must never be') },
    ]);
  });

  it('refuses a job named like the default savepoints folder, naming savepointsDir', () => {
    const error = compileFailure({ jobId: 'savepoints', checkpointsDir: 's3://bucket' });

    expect(error.issues[0]?.path).toBe('checkpointing.savepointsDir');
  });

  it('maps failOnCheckpointingErrors onto the tolerable failure count', () => {
    expect(compileConfig({ ...BASE, failOnCheckpointingErrors: true }).tolerableFailedCheckpoints).toBe(0);
    expect(compileConfig({ ...BASE, failOnCheckpointingErrors: false }).tolerableFailedCheckpoints).toBe(
      2_147_483_647,
    );
  });

  it('rejects failOnCheckpointingErrors that contradicts tolerableFailedCheckpoints', () => {
    const error = compileFailure({ ...BASE, failOnCheckpointingErrors: true, tolerableFailedCheckpoints: 3 });

    expect(error.message).toContain('checkpointing.tolerableFailedCheckpoints: 3 disagrees with');
    expect(error.message).toContain('checkpointing.failOnCheckpointingErrors = true');
  });
});

describe('compileConfig warnings', () => {
  it('warns about the FLINK-20427 data-loss risk when preferCheckpointForRecovery is true', () => {
    const config = compileConfig({ ...BASE, intervalMs: 1000, preferCheckpointForRecovery: true });

    expect(config.warnings).toEqual([
      expect.stringMatching(/preferCheckpointForRecovery.*lose data.*FLINK-20427/),
    ]);
  });

  it('warns that local root directories outside /tmp will not work on Lambda', () => {
    const config = compileConfig({ ...BASE, intervalMs: 1000, localRootDirs: ['/var/state'] });

    expect(config.warnings).toEqual([expect.stringContaining('outside /tmp')]);
  });
});
