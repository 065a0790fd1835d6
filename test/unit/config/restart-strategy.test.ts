import { describe, expect, it } from 'vitest';
import { type CompileConfigInput, compileConfig, InvalidConfigError } from '../../../core/config/index.js';

const BASE = { jobId: 'orders-1', checkpointsDir: 's3://state-bucket/flinkless', intervalMs: 1000 } as const;

function compileFailure(input: unknown): InvalidConfigError {
  try {
    compileConfig(input as CompileConfigInput);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  throw new Error('expected compileConfig to throw InvalidConfigError');
}

describe('restart strategy', () => {
  it.each([
    [{ type: 'fixed-delay' }, { type: 'fixed-delay', attempts: 1, delayMs: 1000 }],
    [
      { type: 'failure-rate' },
      { type: 'failure-rate', maxFailuresPerInterval: 1, failureRateIntervalMs: 60_000, delayMs: 1000 },
    ],
    [{ type: 'none' }, { type: 'none' }],
  ] as const)('fills Flink’s defaults for %j', (restartStrategy, expected) => {
    // Prepare / Act
    const config = compileConfig({ ...BASE, restartStrategy });

    // Assess
    expect(config.restartStrategy).toEqual(expected);
  });

  it('keeps the typed parameters and defaults the rest', () => {
    const config = compileConfig({
      ...BASE,
      restartStrategy: { type: 'exponential-delay', maxBackoffMs: 300_000, jitterFactor: 0 },
    });

    expect(config.restartStrategy).toMatchObject({
      type: 'exponential-delay',
      initialBackoffMs: 1000,
      maxBackoffMs: 300_000,
      jitterFactor: 0,
    });
  });

  it('merges a typed strategy with Flink keys for its other parameters', () => {
    const config = compileConfig({
      ...BASE,
      restartStrategy: { type: 'fixed-delay', attempts: 5 },
      flinkConf: { 'restart-strategy.fixed-delay.delay': '30 s' },
    });

    expect(config.restartStrategy).toEqual({ type: 'fixed-delay', attempts: 5, delayMs: 30_000 });
  });

  it.each(['none', 'off', 'disable'])('reads the Flink restart-strategy value %s as none', (value) => {
    expect(compileConfig({ ...BASE, flinkConf: { 'restart-strategy.type': value } }).restartStrategy).toEqual(
      {
        type: 'none',
      },
    );
  });

  it.each<[object, string, RegExp]>([
    [{ type: 'fixed-delay', attempts: -1 }, 'attempts', /integer >= 0/],
    [{ type: 'fixed-delay', delayMs: 1.5 }, 'delayMs', /integer >= 0 \(milliseconds\)/],
    [{ type: 'failure-rate', maxFailuresPerInterval: 0 }, 'maxFailuresPerInterval', /integer >= 1/],
    [{ type: 'failure-rate', failureRateIntervalMs: 0 }, 'failureRateIntervalMs', /integer >= 1/],
    [{ type: 'exponential-delay', backoffMultiplier: 0.5 }, 'backoffMultiplier', /number >= 1/],
    [{ type: 'exponential-delay', jitterFactor: 1.5 }, 'jitterFactor', /number from 0 to 1/],
    [{ type: 'exponential-delay', initialBackoffMs: 0 }, 'initialBackoffMs', /integer >= 1/],
    [{ type: 'exponential-delay', attemptsBeforeResetBackoff: 0 }, 'attemptsBeforeResetBackoff', /from 1 to/],
  ])('rejects %j, naming the parameter and its range', (restartStrategy, name, allowed) => {
    const error = compileFailure({ ...BASE, restartStrategy });

    expect(error.issues).toEqual([
      { path: `checkpointing.restartStrategy.${name}`, message: expect.stringMatching(allowed) },
    ]);
  });

  it('rejects an initial backoff larger than the maximum backoff', () => {
    const error = compileFailure({
      ...BASE,
      restartStrategy: { type: 'exponential-delay', initialBackoffMs: 120_000, maxBackoffMs: 60_000 },
    });

    expect(error.message).toMatch(
      /checkpointing.restartStrategy.initialBackoffMs: .*initialBackoffMs <= maxBackoffMs/,
    );
  });

  it('rejects an unknown strategy type, listing the allowed ones', () => {
    const error = compileFailure({ ...BASE, restartStrategy: { type: 'forever' } });

    expect(error.issues[0]).toEqual({
      path: 'checkpointing.restartStrategy.type',
      message: expect.stringContaining("'none', 'fixed-delay', 'failure-rate', 'exponential-delay'"),
    });
  });

  it('rejects a parameter that belongs to another strategy, listing the allowed ones', () => {
    const error = compileFailure({ ...BASE, restartStrategy: { type: 'fixed-delay', maxBackoffMs: 5 } });

    expect(error.issues).toEqual([
      {
        path: 'checkpointing.restartStrategy.maxBackoffMs',
        message: expect.stringContaining(
          'not a parameter of the fixed-delay restart strategy; expected attempts, delayMs',
        ),
      },
    ]);
  });

  it('rejects a typed strategy type that disagrees with restart-strategy.type, naming both', () => {
    const error = compileFailure({
      ...BASE,
      restartStrategy: { type: 'fixed-delay' },
      flinkConf: { 'restart-strategy.type': 'failure-rate' },
    });

    expect(error.message).toContain('checkpointing.restartStrategy.type: "fixed-delay" disagrees with');
    expect(error.message).toContain('flinkConf["restart-strategy.type"] = "failure-rate"');
  });

  it('warns that parameters of a strategy other than the chosen one are ignored', () => {
    const config = compileConfig({ ...BASE, flinkConf: { 'restart-strategy.fixed-delay.attempts': 3 } });

    expect(config.restartStrategy.type).toBe('exponential-delay');
    expect(config.warnings).toEqual([
      expect.stringMatching(
        /restart-strategy.fixed-delay.attempts"\] is ignored.*strategy is exponential-delay/,
      ),
    ]);
  });

  it('rejects a restartStrategy that is not an object with a type', () => {
    const error = compileFailure({ ...BASE, restartStrategy: 'fixed-delay' });

    expect(error.issues[0]?.path).toBe('checkpointing.restartStrategy');
  });
});
