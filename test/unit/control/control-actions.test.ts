import { describe, expect, it } from 'vitest';
import { abortCheckpoint } from '../../../core/checkpoint/checkpoint-cleanup.js';
import type { ExternalizedCheckpointCleanup } from '../../../core/config/index.js';
import type { RestoreResult } from '../../../core/control/control-actions.js';
import {
  type CancelActionResult,
  ControlRefusedError,
  type ListResult,
  runControlAction,
  SAVEPOINT_POLL_MS,
  type SavepointResult,
  type StatusResult,
} from '../../../core/control/index.js';
import { type ControlHarness, controlHarness, JOB } from './control-harness.js';

async function runningJob(options: Parameters<typeof controlHarness>[0] = {}) {
  const h = controlHarness(options);
  await h.produceAndProcess(300);
  const first = await h.checkpoint();
  await h.produceAndProcess(300);
  const second = await h.checkpoint();
  await h.produceAndProcess(100);
  return { h, first, second };
}

const run = (h: ControlHarness, request: Parameters<typeof runControlAction>[2]) =>
  runControlAction(h.deps, h.settings, request);

describe('control action savepoint', () => {
  it('completes a SAVEPOINT-kind checkpoint whose files are all under the savepoints prefix', async () => {
    // Prepare
    const { h } = await runningJob();

    // Act
    const result = (await run(h, { action: 'savepoint', waitMs: 10_000 })) as SavepointResult;

    // Assess
    expect(result).toMatchObject({ ok: true, action: 'savepoint', status: 'COMPLETED' });
    const record = await h.parts.store.getCheckpoint(JOB, result.checkpointId);
    expect(record).toMatchObject({ kind: 'SAVEPOINT', status: 'COMPLETED' });
    expect(record?.storagePrefix).toBe(`savepoints/${JOB}/savepoint-${result.checkpointId}`);
    const acks = await h.parts.store.listAcks(JOB, result.checkpointId);
    expect(acks).toHaveLength(3);
    for (const ack of acks) {
      expect('ref' in ack.snapshot && ack.snapshot.ref.key).toMatch(
        new RegExp(`^savepoints/${JOB}/savepoint-${result.checkpointId}/`),
      );
    }
    expect(result.sizeBytes).toBeGreaterThan(0);
    expect(result.summary).toMatch(new RegExp(`^savepoint ${result.checkpointId} completed in`));
  });

  it('reports a savepoint still pending after waitMs with its id, leaving it for the coordinator', async () => {
    // Prepare
    const { h } = await runningJob();
    h.state.stalled = true;

    // Act
    const result = (await run(h, { action: 'savepoint', waitMs: 1_000 })) as SavepointResult;

    // Assess
    expect(result).toMatchObject({ ok: true, status: 'PENDING', missingShards: expect.any(Array) });
    expect(result.missingShards).toHaveLength(3);
    expect(result.summary).toMatch(new RegExp(`savepoint ${result.checkpointId} is still pending after 1 s`));
    expect(h.state.sleeps).toBe(1_000 / SAVEPOINT_POLL_MS);
    expect((await h.parts.store.getCheckpoint(JOB, result.checkpointId))?.status).toBe('PENDING');
  });

  it('stops waiting when the clock says waitMs passed, even if sleeps were short', async () => {
    // Prepare: every poll takes 10 s of (fake) time
    const { h } = await runningJob();
    h.state.stalled = true;
    h.deps.sleep = async () => {
      h.state.sleeps++;
      h.clock.advance(10_000);
    };

    // Act
    const result = (await run(h, { action: 'savepoint', waitMs: 30_000 })) as SavepointResult;

    // Assess
    expect(result.status).toBe('PENDING');
    expect(h.state.sleeps).toBe(3);
  });

  it('refuses a savepoint of a canceled job and changes nothing', async () => {
    // Prepare
    const { h } = await runningJob();
    await run(h, { action: 'cancel', savepointFirst: false });
    const before = h.durable();

    // Act
    const error = await run(h, { action: 'savepoint', waitMs: 1_000 }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ControlRefusedError);
    expect(error).toMatchObject({ reason: 'JOB_NOT_RUNNING' });
    expect((error as Error).message).toMatch(
      /job job-control is CANCELED .*restore a checkpoint or savepoint first/,
    );
    expect(h.durable()).toEqual(before);
  });
});

describe('control action cancel', () => {
  it.each<[ExternalizedCheckpointCleanup, 'retained' | 'deleted']>([
    ['RETAIN_ON_CANCELLATION', 'retained'],
    ['DELETE_ON_CANCELLATION', 'deleted'],
  ])('with savepointFirst and %s keeps the savepoint and applies the cleanup', async (cleanup, outcome) => {
    // Prepare
    const { h, first, second } = await runningJob({
      externalizedCheckpointCleanup: cleanup,
      numRetainedCheckpoints: 2,
    });

    // Act
    const result = (await run(h, { action: 'cancel', savepointFirst: true })) as CancelActionResult;

    // Assess: the job is canceled after a completed savepoint...
    expect(result).toMatchObject({ ok: true, action: 'cancel', cleanup, alreadyCanceled: false });
    expect(result[outcome]).toEqual([first, second]);
    expect((await h.parts.store.getJob(JOB))?.status).toBe('CANCELED');
    const savepointId = result.savepoint!.checkpointId;
    const savepoint = await h.parts.store.getCheckpoint(JOB, savepointId);
    expect(savepoint).toMatchObject({ kind: 'SAVEPOINT', status: 'COMPLETED' });
    // ...whose files (3 snapshots and its _metadata) stay, while the checkpoints' files follow the cleanup.
    expect(h.snapshots.keys().filter((k) => k.startsWith(`${savepoint!.storagePrefix}/`))).toHaveLength(4);
    expect(h.snapshots.has(`${savepoint!.storagePrefix}/_metadata`)).toBe(true);
    const checkpointFiles = h.snapshots.keys().filter((k) => k.startsWith(`checkpoints/${JOB}/`));
    expect(checkpointFiles.length > 0).toBe(cleanup === 'RETAIN_ON_CANCELLATION');
    expect(result.howToResume).toContain(`{"action":"restore","checkpointId":${savepointId}}`);
    expect(result.summary).toMatch(new RegExp(`canceled after savepoint ${savepointId}`));
  });

  it('with savepointFirst refuses to cancel when the savepoint does not complete in time, and the job runs on', async () => {
    // Prepare
    const { h } = await runningJob();
    h.state.stalled = true;

    // Act
    const error = await run(h, { action: 'cancel', savepointFirst: true }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ControlRefusedError);
    expect((error as Error).message).toMatch(/did not complete within 1 min .*so the job was not canceled/);
    expect((await h.parts.store.getJob(JOB))?.status).toBe('RUNNING');
  });

  it('with savepointFirst refuses to cancel when the savepoint is aborted meanwhile, saying why', async () => {
    // Prepare: the coordinator times the savepoint out while the action waits
    const { h } = await runningJob();
    h.state.stalled = true;
    h.deps.sleep = async (ms) => {
      h.clock.advance(ms);
      const [pending] = (await h.parts.store.listCheckpoints(JOB)).filter((r) => r.status === 'PENDING');
      if (pending) await abortCheckpoint(h.deps, JOB, pending.checkpointId, 'CHECKPOINT_EXPIRED');
    };

    // Act
    const error = await run(h, { action: 'cancel', savepointFirst: true }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'ControlRefusedError', reason: 'CHECKPOINT_DECLINED' });
    expect((error as Error).message).toMatch(
      /savepoint \d+ was aborted \(ABORTED: CHECKPOINT_EXPIRED\), so the job was not canceled/,
    );
    expect((await h.parts.store.getJob(JOB))?.status).toBe('RUNNING');
  });
});

describe('control action status', () => {
  it('after a cancel with RETAIN_ON_CANCELLATION, says how to resume with a restore action', async () => {
    // Prepare
    const { h, second } = await runningJob({ externalizedCheckpointCleanup: 'RETAIN_ON_CANCELLATION' });
    await run(h, { action: 'cancel', savepointFirst: false });

    // Act
    const result = (await run(h, { action: 'status' })) as StatusResult;

    // Assess
    expect(result).toMatchObject({ ok: true, status: 'CANCELED', generation: 1, latestCheckpointId: second });
    expect(result.howToResume).toContain('{"action":"restore","checkpointId":"latest","dryRun":true}');
    expect(result.howToResume).toContain(`{"action":"restore","checkpointId":${second}}`);
    expect(result.summary).toMatch(/^job job-control CANCELED .*see howToResume$/);
  });

  it('after a cancel with DELETE_ON_CANCELLATION and no savepoint, says there is nothing to restore from', async () => {
    // Prepare
    const { h } = await runningJob({ externalizedCheckpointCleanup: 'DELETE_ON_CANCELLATION' });
    await run(h, { action: 'cancel', savepointFirst: false });

    // Act
    const result = (await run(h, { action: 'status' })) as StatusResult;

    // Assess
    expect(result.howToResume).toMatch(/no completed checkpoint or savepoint is left to restore from/);
    expect(result.howToResume).toContain('{"action":"cancel","savepointFirst":true}');
  });

  it('shows the last 10 checkpoints newest first with their statistics, pending ones and the restart strategy', async () => {
    // Prepare: 12 completed checkpoints, then a pending one and an aborted one
    const h = controlHarness({ restartStrategy: { type: 'fixed-delay', attempts: 3, delayMs: 1_000 } });
    for (let i = 0; i < 12; i++) {
      await h.produceAndProcess(30);
      await h.checkpoint();
    }
    const aborted = await h.pendingCheckpoint();
    await abortCheckpoint(h.deps, JOB, aborted, 'CHECKPOINT_DECLINED');
    const pending = await h.pendingCheckpoint();

    // Act
    const result = (await run(h, { action: 'status' })) as StatusResult;

    // Assess
    expect(result.checkpoints.map((c) => c.checkpointId)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5]);
    expect(result.pendingCheckpoints).toEqual([pending]);
    expect(result.checkpoints[1]).toMatchObject({ status: 'ABORTED', failureReason: 'CHECKPOINT_DECLINED' });
    const completed = result.checkpoints[2]!;
    expect(completed).toMatchObject({ status: 'COMPLETED', kind: 'CHECKPOINT', durationMs: 1_000 });
    expect(completed.sizeBytes).toBeGreaterThan(0);
    expect(completed.stats).toMatchObject({ shards: 3 });
    expect(completed.triggeredAt).toBe(new Date(h.clock.nowMs() - 1_000).toISOString());
    expect(result.restartStrategy).toBe('fixed-delay: 0 of 3 attempts used, next delay 1 s');
    expect(result.howToResume).toBeUndefined();
  });

  it('lists recent failures of a FAILED job', async () => {
    // Prepare
    const { h } = await runningJob();
    const job = (await h.parts.store.getJob(JOB))!;
    await h.parts.store.updateJob(JOB, job.version, {
      ...job,
      status: 'FAILED',
      statusReason: 'checkpoint failures exceeded tolerableFailedCheckpoints',
      failures: [
        { atMs: h.clock.nowMs() - 5_000, reason: '' },
        { atMs: h.clock.nowMs() - 1_000, reason: 'CHECKPOINT_EXPIRED' },
      ],
    });

    // Act
    const result = (await run(h, { action: 'status' })) as StatusResult;

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.recentFailures).toEqual([
      { at: new Date(h.clock.nowMs() - 1_000).toISOString(), reason: 'CHECKPOINT_EXPIRED' },
    ]);
    expect(result.howToResume).toMatch(/^restore a retained checkpoint or savepoint/);
  });

  it('of a job that never checkpointed reports NOT_STARTED and creates nothing', async () => {
    // Prepare
    const h = controlHarness();
    const before = h.durable();

    // Act
    const result = (await run(h, { action: 'status' })) as StatusResult;

    // Assess
    expect(result).toMatchObject({
      ok: true,
      status: 'NOT_STARTED',
      checkpoints: [],
      pendingCheckpoints: [],
    });
    expect(h.durable()).toEqual(before);
  });
});

describe('control action list', () => {
  it('lists every checkpoint and savepoint with status, kind, completion time and size', async () => {
    // Prepare
    const { h, first, second } = await runningJob({ numRetainedCheckpoints: 3 });
    const savepoint = (await run(h, { action: 'savepoint', waitMs: 10_000 })) as SavepointResult;
    const pending = await h.pendingCheckpoint();

    // Act
    const result = (await run(h, { action: 'list' })) as ListResult;

    // Assess
    expect(result.checkpoints.map((c) => [c.checkpointId, c.kind, c.status])).toEqual([
      [pending, 'CHECKPOINT', 'PENDING'],
      [savepoint.checkpointId, 'SAVEPOINT', 'COMPLETED'],
      [second, 'CHECKPOINT', 'COMPLETED'],
      [first, 'CHECKPOINT', 'COMPLETED'],
    ]);
    expect(result.checkpoints[1]).toMatchObject({
      sizeBytes: savepoint.sizeBytes,
      completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      storagePrefix: savepoint.storagePrefix,
    });
    expect(result.checkpoints[0]?.completedAt).toBeUndefined();
    expect(result.summary).toMatch(
      /^job job-control: 2 completed checkpoints, 1 savepoints \(.*\), 1 pending/,
    );
  });
});

describe('control action restore', () => {
  it('"latest" follows preferCheckpointForRecovery from the settings', async () => {
    // Prepare
    const { h, second } = await runningJob({ preferCheckpointForRecovery: true });
    await run(h, { action: 'savepoint', waitMs: 10_000 });

    // Act
    const result = (await run(h, {
      action: 'restore',
      checkpointId: 'latest',
      dryRun: true,
      allowDataLoss: false,
    })) as RestoreResult;

    // Assess
    expect(result).toMatchObject({ ok: true, checkpointId: second, kind: 'CHECKPOINT', dryRun: true });
    expect(result.warnings.join(' ')).toContain('FLINK-20427');
    expect(result.summary).toMatch(/^dry run, nothing changed: restoring checkpoint \d+ .*1 warning/);
  });

  it('restores a checkpoint: the job moves to a new generation and runs again after a cancel', async () => {
    // Prepare
    const { h, first, second } = await runningJob({
      externalizedCheckpointCleanup: 'RETAIN_ON_CANCELLATION',
    });
    await run(h, { action: 'cancel', savepointFirst: false });

    // Act
    const result = (await run(h, {
      action: 'restore',
      checkpointId: first,
      dryRun: false,
      allowDataLoss: false,
    })) as RestoreResult;

    // Assess
    expect(result).toMatchObject({ ok: true, checkpointId: first, generation: 2, discardNewer: [second] });
    expect(result.summary).toMatch(new RegExp(`^restored checkpoint ${first} .*generation 2`));
    expect(await h.parts.store.getJob(JOB)).toMatchObject({ status: 'RUNNING', latestCheckpointId: first });
  });
});
