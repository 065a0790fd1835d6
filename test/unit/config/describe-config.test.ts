import { describe, expect, it } from 'vitest';
import { type CheckpointConfig, compileConfig, describeConfig } from '../../../core/config/index.js';

const BASE = { jobId: 'orders-1', checkpointsDir: 's3://state-bucket/flinkless', intervalMs: 1000 } as const;

describe('describeConfig', () => {
  it('has a row for every field of CheckpointConfig except the warnings', () => {
    // Prepare
    const config = compileConfig({ ...BASE });

    // Act
    const options = describeConfig(config).map((row) => row.option);

    // Assess
    const fields = Object.keys(config).filter((field) => field !== 'warnings');
    expect(fields.filter((field) => !options.includes(field) && !options.includes(`${field}.type`))).toEqual(
      [],
    );
  });

  it.each<CheckpointConfig['restartStrategy']['type']>([
    'none',
    'fixed-delay',
    'failure-rate',
    'exponential-delay',
  ])('has a row for every parameter of the %s restart strategy, showing its value', (type) => {
    const config = compileConfig({ ...BASE, restartStrategy: { type } });
    const rows = describeConfig(config);

    for (const [name, value] of Object.entries(config.restartStrategy)) {
      const row = rows.find((r) => r.option === `restartStrategy.${name}` && r.value === String(value));
      expect(row, `row for restartStrategy.${name}`).toBeDefined();
    }
  });

  it('shows the compiled value, the Flink key and its aliases', () => {
    const config = compileConfig({ ...BASE, localRootDirs: ['/tmp/a', '/tmp/b'], numRetainedCheckpoints: 3 });

    const rows = describeConfig(config);

    expect(rows.find((row) => row.option === 'numRetainedCheckpoints')).toEqual({
      option: 'numRetainedCheckpoints',
      flinkKey: 'state.checkpoints.num-retained',
      flinkAliases: ['execution.checkpointing.num-retained'],
      value: '3',
      default: '1',
      meaning: expect.stringContaining('subsumed'),
    });
    expect(rows.find((row) => row.option === 'localRootDirs')?.value).toBe('/tmp/a, /tmp/b');
    expect(rows.find((row) => row.option === 'force')?.flinkKey).toBeNull();
  });

  it('marks parameters of restart strategies that are not in use', () => {
    const rows = describeConfig(compileConfig({ ...BASE, restartStrategy: { type: 'fixed-delay' } }));

    expect(rows.find((row) => row.option === 'restartStrategy.jitterFactor')?.value).toBe('(not used)');
  });

  it('describes the options without values when no config is given, for the README reference', () => {
    const rows = describeConfig();

    expect(rows.every((row) => row.value === '' && row.default !== '' && row.meaning !== '')).toBe(true);
  });
});
