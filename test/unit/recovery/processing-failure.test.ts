import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../../core/config/index.js';
import { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import { CursorFencedError } from '../../../core/processing/errors.js';
import { handleProcessingFailure } from '../../../core/recovery/processing-failure.js';
import { FakeClock } from '../../../local/pipeline/fake-clock.js';

const JOB = 'job-restart';

function setup(restartStrategy: Record<string, unknown>) {
  const clock = new FakeClock();
  const store = new MemoryCheckpointStore();
  const slept: number[] = [];
  const disabled: string[] = [];
  const config = compileConfig({
    jobId: JOB,
    checkpointsDir: 's3://bucket/checkpoints',
    intervalMs: 1_000,
    restartStrategy: restartStrategy as never,
  });
  const deps = {
    store,
    clock,
    sleep: async (ms: number) => {
      slept.push(ms);
      clock.advance(ms);
    },
    eventSource: { disable: async (reason: string) => void disabled.push(reason), enable: async () => 0 },
    random: () => 0.5,
  };
  const fail = (message = 'boom') =>
    handleProcessingFailure(deps, JOB, config.restartStrategy, new Error(message), 60_000);
  return { clock, store, slept, disabled, fail };
}

describe('restart strategies on processing failures', () => {
  it('fixed-delay: restarts after the delay until the attempts are used, then fails the job and disables the event source', async () => {
    // Prepare
    const t = setup({ type: 'fixed-delay', attempts: 2, delayMs: 3_000 });

    // Act
    const verdicts = [await t.fail(), await t.fail(), await t.fail('poison record')];

    // Assess
    expect(verdicts.map((v) => v.action)).toEqual(['RETRY', 'RETRY', 'FAILED']);
    expect(t.slept).toEqual([3_000, 3_000]);
    const job = await t.store.getJob(JOB);
    expect(job?.status).toBe('FAILED');
    expect(job?.statusReason).toMatch(/fixed-delay exhausted.*poison record/);
    expect(t.disabled).toHaveLength(1);
    expect(job?.failures.length).toBeGreaterThanOrEqual(2);
  });

  it('none: the first failure fails the job at once', async () => {
    const t = setup({ type: 'none' });
    expect(await t.fail()).toMatchObject({ action: 'FAILED' });
    expect(t.slept).toEqual([]);
    expect(t.disabled).toHaveLength(1);
  });

  it('exponential-delay: each restart waits longer, up to the maximum', async () => {
    // Prepare
    const t = setup({
      type: 'exponential-delay',
      initialBackoffMs: 1_000,
      maxBackoffMs: 4_000,
      backoffMultiplier: 2,
      jitterFactor: 0,
    });

    // Act: each failure comes a little after the previous restart
    for (let i = 0; i < 4; i++) {
      await t.fail();
      t.clock.advance(100);
    }

    // Assess
    expect(t.slept).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect((await t.store.getJob(JOB))?.status).toBe('RUNNING');
  });

  it('failure-rate: fails once more than the allowed failures fall inside the interval', async () => {
    // Prepare
    const t = setup({
      type: 'failure-rate',
      maxFailuresPerInterval: 2,
      failureRateIntervalMs: 60_000,
      delayMs: 1_000,
    });

    // Act
    const verdicts = [await t.fail(), await t.fail(), await t.fail()];

    // Assess
    expect(verdicts.map((v) => v.action)).toEqual(['RETRY', 'RETRY', 'FAILED']);
  });

  it('protocol events (a fenced cursor) are not job failures and change nothing', async () => {
    // Prepare
    const t = setup({ type: 'none' });
    const before = JSON.stringify(t.store.dump());

    // Act
    const verdict = await handleProcessingFailure(
      { store: t.store, clock: t.clock, sleep: async () => undefined },
      JOB,
      { type: 'none' },
      new CursorFencedError('shardId-000000000000', 'commit refused'),
      60_000,
    );

    // Assess
    expect(verdict).toEqual({ action: 'IGNORED' });
    expect(JSON.stringify(t.store.dump())).toBe(before);
  });

  it('never waits past the invocation deadline', async () => {
    const t = setup({ type: 'fixed-delay', attempts: 5, delayMs: 120_000 });
    expect(await t.fail()).toEqual({ action: 'RETRY', delayMs: 60_000 });
  });
});
