import { describe, expect, it } from 'vitest';
import {
  CHECKPOINTING_ENVIRONMENT_VARIABLES,
  compileConfig,
  configFromEnvironmentRecord,
  describeConfig,
  InvalidConfigError,
} from '../../../core/config/index.js';

function environmentFailure(env: Record<string, string | undefined>): InvalidConfigError {
  try {
    configFromEnvironmentRecord(env);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  throw new Error('expected configFromEnvironmentRecord to throw InvalidConfigError');
}

describe('configFromEnvironmentRecord', () => {
  it('maps FLINKLESS_* variables onto typed options', () => {
    // Prepare
    const env = {
      FLINKLESS_JOB_ID: 'orders-1',
      FLINKLESS_CHECKPOINTS_DIR: 's3://bucket-a/c',
      FLINKLESS_SAVEPOINTS_DIR: 's3://bucket-a/s',
      FLINKLESS_INTERVAL_MS: '5000',
      FLINKLESS_MODE: 'AT_LEAST_ONCE',
      FLINKLESS_INCREMENTAL_CHECKPOINTS: 'TRUE',
      FLINKLESS_LOCAL_ROOT_DIRS: '/tmp/a, /tmp/b',
      FLINKLESS_RESTART_STRATEGY: 'fixed-delay',
      FLINKLESS_FLINK_CONF: '{"state.backend":"rocksdb","state.checkpoints.num-retained":3}',
      PATH: '/usr/bin',
    };

    // Act
    const options = configFromEnvironmentRecord(env);

    // Assess
    expect(options).toEqual({
      jobId: 'orders-1',
      checkpointsDir: 's3://bucket-a/c',
      savepointsDir: 's3://bucket-a/s',
      intervalMs: 5000,
      mode: 'AT_LEAST_ONCE',
      incrementalCheckpoints: true,
      localRootDirs: ['/tmp/a', '/tmp/b'],
      restartStrategy: { type: 'fixed-delay' },
      flinkConf: { 'state.backend': 'rocksdb', 'state.checkpoints.num-retained': 3 },
    });
    expect(compileConfig(options)).toMatchObject({ stateBackend: 'disk', numRetainedCheckpoints: 3 });
  });

  it('reads a restart strategy given as a JSON object', () => {
    const options = configFromEnvironmentRecord({
      FLINKLESS_JOB_ID: 'j',
      FLINKLESS_RESTART_STRATEGY: '{"type":"fixed-delay","attempts":3}',
    });

    expect(options.restartStrategy).toEqual({ type: 'fixed-delay', attempts: 3 });
  });

  it('treats empty variables as unset', () => {
    const options = configFromEnvironmentRecord({ FLINKLESS_JOB_ID: 'j', FLINKLESS_INTERVAL_MS: '  ' });

    expect(options).toEqual({ jobId: 'j' });
  });

  it('collects every malformed variable into one error naming each variable', () => {
    const error = environmentFailure({
      FLINKLESS_JOB_ID: 'j',
      FLINKLESS_INTERVAL_MS: '10s',
      FLINKLESS_FORCE: 'yes',
      FLINKLESS_FLINK_CONF: '{not json',
    });

    expect(error.issues).toEqual([
      { path: 'env.FLINKLESS_INTERVAL_MS', message: 'expected a whole number, found "10s"' },
      { path: 'env.FLINKLESS_FORCE', message: 'expected true or false, found "yes"' },
      {
        path: 'env.FLINKLESS_FLINK_CONF',
        message: expect.stringContaining('expected a JSON object of Flink keys'),
      },
    ]);
  });

  it('requires FLINKLESS_JOB_ID', () => {
    const error = environmentFailure({ FLINKLESS_CHECKPOINTS_DIR: 's3://bucket-a' });

    expect(error.path).toBe('env.FLINKLESS_JOB_ID');
  });

  it('has a variable for every typed option', () => {
    const options = new Set<string>(CHECKPOINTING_ENVIRONMENT_VARIABLES.map((variable) => variable.option));
    const typedOptions = describeConfig()
      .map((row) => row.option.split('.')[0] ?? row.option)
      .concat(['failOnCheckpointingErrors', 'flinkConf']);

    expect(typedOptions.filter((option) => !options.has(option))).toEqual([]);
  });
});
