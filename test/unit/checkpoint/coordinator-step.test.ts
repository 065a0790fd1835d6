import { describe, expect, it } from 'vitest';
import { abortCheckpoint } from '../../../core/checkpoint/checkpoint-cleanup.js';
import { runCoordinatorStep } from '../../../core/checkpoint/coordinator-step.js';
import { ensureJob } from '../../../core/checkpoint/job.js';
import { isBarrierRecord } from '../../../core/processing/barrier.js';
import { MemoryShardSource } from '../../../local/esm/shard-source.js';
import { inlineAck, STEP_JOB, stepFixture } from './coordinator-step-fixture.js';

async function barriersOn(f: ReturnType<typeof stepFixture>): Promise<number> {
  const source = new MemoryShardSource(f.stream);
  let count = 0;
  for (const shardId of f.shardIds) {
    count += (await source.read(shardId, undefined, 1_000)).filter((r) => isBarrierRecord(r.data)).length;
  }
  return count;
}

describe('runCoordinatorStep', () => {
  it('the last acker’s step completes the checkpoint, moves the pointer and, when due, triggers the next', async () => {
    // Prepare: checkpoint 1 pending, both shards acked, interval elapsed
    const f = stepFixture({ intervalMs: 1_000 });
    const first = await runCoordinatorStep(f.deps, f.settings);
    for (const shardId of f.shardIds) await f.store.putAck(STEP_JOB, inlineAck(1, shardId, f.clock.nowMs()));
    f.clock.advance(1_000);

    // Act
    const step = await runCoordinatorStep(f.deps, f.settings);

    // Assess
    expect(first.outcome === 'RUNNING' && first.triggered?.checkpointId).toBe(1);
    expect(step.outcome === 'RUNNING' && step.triggered?.checkpointId).toBe(2);
    expect((await f.store.getCheckpoint(STEP_JOB, 1))?.status).toBe('COMPLETED');
    expect((await f.store.getJob(STEP_JOB))?.latestCheckpointId).toBe(1);
  });

  it('of processors stepping because they acked, only the last acker completes (no duplicate verification)', async () => {
    // Prepare: both shards acked at the same time; the tie goes to the higher shard id
    const f = stepFixture({ intervalMs: 60_000 });
    await runCoordinatorStep(f.deps, f.settings);
    for (const shardId of f.shardIds) await f.store.putAck(STEP_JOB, inlineAck(1, shardId, f.clock.nowMs()));
    const [first, last] = f.shardIds as [string, string];

    // Act
    await runCoordinatorStep(f.deps, f.settings, { asAckerOf: first });
    const afterFirst = (await f.store.getCheckpoint(STEP_JOB, 1))?.status;
    await runCoordinatorStep(f.deps, f.settings, { asAckerOf: last });

    // Assess
    expect(afterFirst).toBe('PENDING');
    expect((await f.store.getCheckpoint(STEP_JOB, 1))?.status).toBe('COMPLETED');
  });

  it('decides with the state derived from the records: no trigger before interval since the stored last trigger', async () => {
    // Prepare: another actor triggered and completed checkpoint 1 at t0
    const f = stepFixture({ intervalMs: 1_000 });
    await runCoordinatorStep(f.deps, f.settings);
    for (const shardId of f.shardIds) await f.store.putAck(STEP_JOB, inlineAck(1, shardId, f.clock.nowMs()));
    f.clock.advance(400);

    // Act: a fresh actor (nothing carried) steps before the interval elapsed
    const step = await runCoordinatorStep(f.deps, f.settings);

    // Assess
    expect(step.outcome).toBe('RUNNING');
    if (step.outcome !== 'RUNNING') return;
    expect(step.state.lastTriggerTimeMs).toBe(f.clock.nowMs() - 400);
    expect(step.triggered).toBeUndefined();
    expect(step.nextWakeMs).toBe(f.clock.nowMs() + 600);
  });

  it('fails the job from the derived failure count: stored expirations plus the one this step aborts', async () => {
    // Prepare: tolerable 1; checkpoint 1 already expired (stored), checkpoint 2 expires now
    const f = stepFixture({ intervalMs: 1_000, timeoutMs: 2_000, tolerableFailedCheckpoints: 1 });
    await runCoordinatorStep(f.deps, f.settings);
    await abortCheckpoint(f.deps, STEP_JOB, 1, 'CHECKPOINT_EXPIRED');
    f.clock.advance(1_000);
    await runCoordinatorStep(f.deps, f.settings);
    f.clock.advance(2_000);

    // Act
    const step = await runCoordinatorStep(f.deps, f.settings);

    // Assess
    expect((await f.store.getCheckpoint(STEP_JOB, 1))?.abortReason).toBe('CHECKPOINT_EXPIRED');
    expect(step.outcome).toBe('FAILED');
    expect((await f.store.getJob(STEP_JOB))?.status).toBe('FAILED');
  });

  it('an id allocated but never recorded (a savepoint trigger that crashed) does not hold up periodic triggers', async () => {
    // Prepare: id 1 allocated by a savepoint trigger that crashed before its record
    const f = stepFixture({ intervalMs: 1_000 });
    await ensureJob(f.store, STEP_JOB, f.clock);
    await f.store.allocateCheckpointId(STEP_JOB);

    // Act
    const step = await runCoordinatorStep(f.deps, f.settings);

    // Assess: the trigger and its id are one write, so the next id is simply taken
    expect(step.outcome === 'RUNNING' && step.triggered?.checkpointId).toBe(2);
    expect(await f.store.getCheckpoint(STEP_JOB, 2)).toMatchObject({ status: 'PENDING' });
    expect(await barriersOn(f)).toBe(f.shardIds.length);
  });

  it('of two steps decided on the same ledger, one writes and the other changes nothing and sends no barrier', async () => {
    // Prepare: both steps read the ledger before either writes
    const f = stepFixture({ intervalMs: 1_000 });
    await ensureJob(f.store, STEP_JOB, f.clock);

    // Act
    const [a, b] = await Promise.all([
      runCoordinatorStep(f.deps, f.settings),
      runCoordinatorStep(f.deps, f.settings),
    ]);

    // Assess
    const triggered = [a, b].filter((s) => s.outcome === 'RUNNING' && s.triggered !== undefined);
    const conflicts = [a, b].filter((s) => s.outcome === 'RUNNING' && s.conflict === true);
    expect(triggered).toHaveLength(1);
    expect(conflicts).toHaveLength(1);
    expect((await f.store.listCheckpoints(STEP_JOB)).map((r) => r.checkpointId)).toEqual([1]);
    expect(await barriersOn(f)).toBe(f.shardIds.length);
  });

  it('one write completes a checkpoint, moves the pointer and triggers the next', async () => {
    // Prepare: checkpoint 1 pending with every ack in, and its interval passed
    const f = stepFixture({ intervalMs: 1_000 });
    await runCoordinatorStep(f.deps, f.settings);
    for (const shardId of f.shardIds) await f.store.putAck(STEP_JOB, inlineAck(1, shardId, f.clock.nowMs()));
    f.clock.advance(1_000);
    let writes = 0;
    const counting = new Proxy(f.store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property === 'commitLedger') writes++;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

    // Act
    const step = await runCoordinatorStep({ ...f.deps, store: counting }, f.settings);

    // Assess
    expect(writes).toBe(1);
    expect(step.outcome === 'RUNNING' && step.triggered?.checkpointId).toBe(2);
    expect((await f.store.getCheckpoint(STEP_JOB, 1))?.status).toBe('COMPLETED');
    expect((await f.store.getJob(STEP_JOB))?.latestCheckpointId).toBe(1);
  });

  it('leaves the trigger to others until triggerNotBeforeMs, and wakes then', async () => {
    // Prepare
    const f = stepFixture({ intervalMs: 1_000 });
    await runCoordinatorStep(f.deps, f.settings);
    for (const shardId of f.shardIds) await f.store.putAck(STEP_JOB, inlineAck(1, shardId, f.clock.nowMs()));
    f.clock.advance(1_000);
    const notBefore = f.clock.nowMs() + 2_000;

    // Act
    const step = await runCoordinatorStep(f.deps, f.settings, { triggerNotBeforeMs: () => notBefore });

    // Assess
    expect(step.outcome === 'RUNNING' && step.triggered).toBe(undefined);
    expect(step.outcome === 'RUNNING' && step.nextWakeMs).toBe(notBefore);
    expect((await f.store.getCheckpoint(STEP_JOB, 1))?.status).toBe('COMPLETED');
  });
});
