import { describe, expect, it } from 'vitest';
import { runCoordinatorStep } from '../../../core/checkpoint/coordinator-step.js';
import { StorageUnavailableError } from '../../../core/errors/index.js';
import type { CheckpointStore } from '../../../core/ports/checkpoint-store.js';
import { ProcessorCoordination } from '../../../core/processing/processor-coordination.js';
import type { BatchOutcome } from '../../../core/processing/types.js';
import { aCheckpoint } from '../../support/checkpoint-fixtures.js';
import { inlineAck, STEP_JOB, stepFixture } from '../checkpoint/coordinator-step-fixture.js';

function outcome(shardId: string, acksWritten = 0): BatchOutcome {
  return {
    shardId,
    applied: 1,
    skipped: 0,
    replayed: 0,
    barriers: acksWritten,
    acksWritten,
    foreignBarriers: 0,
    coldStart: false,
    outputsWritten: 0,
  };
}

describe('ProcessorCoordination', () => {
  it('steps after a batch that wrote an ack: the last acker completes the checkpoint', () => {
    // Prepare
    const f = stepFixture({ intervalMs: 60_000 });
    const coordination = new ProcessorCoordination({ deps: f.deps, settings: f.settings });

    // Act / Assess
    expect(coordination.shouldStep(f.shardIds[1]!, outcome(f.shardIds[1]!, 1))).toBe(true);
    expect(coordination.shouldStep(f.shardIds[1]!, outcome(f.shardIds[1]!, 0))).toBe(false);
  });

  it('steps without an ack only on the leading shard (first expected shard) once the next trigger is due', () => {
    // Prepare: a barrier of checkpoint 4 triggered now names shard 0 the leader
    const f = stepFixture({ intervalMs: 60_000 });
    const coordination = new ProcessorCoordination({ deps: f.deps, settings: f.settings });
    coordination.onCheckpointSeen(
      aCheckpoint(4, { triggerTimeMs: f.clock.nowMs(), expectedShards: f.shardIds }),
    );
    const [leader, other] = f.shardIds as [string, string];

    // Act
    const beforeDue = coordination.shouldStep(leader, outcome(leader));
    f.clock.advance(60_000);
    const leaderDue = coordination.shouldStep(leader, outcome(leader));
    const otherDue = coordination.shouldStep(other, outcome(other));

    // Assess
    expect([beforeDue, leaderDue, otherDue]).toEqual([false, true, false]);
  });

  it('a shard whose step left a fully acked checkpoint to the last acker steps again on its next batch and completes it', async () => {
    // Prepare: both shards acked at the same time; the last acker (higher shard id) never steps
    const f = stepFixture({ intervalMs: 60_000 });
    await runCoordinatorStep(f.deps, f.settings);
    for (const shardId of f.shardIds) await f.store.putAck(STEP_JOB, inlineAck(1, shardId, f.clock.nowMs()));
    const coordination = new ProcessorCoordination({ deps: f.deps, settings: f.settings });
    const first = f.shardIds[0]!;

    // Act
    await coordination.afterBatch(first, outcome(first, 1));
    const afterAckStep = (await f.store.getCheckpoint(STEP_JOB, 1))?.status;
    const followsUp = coordination.shouldStep(first, outcome(first, 0));
    await coordination.afterBatch(first, outcome(first, 0));

    // Assess
    expect(afterAckStep).toBe('PENDING');
    expect(followsUp).toBe(true);
    expect((await f.store.getCheckpoint(STEP_JOB, 1))?.status).toBe('COMPLETED');
    expect(coordination.shouldStep(first, outcome(first, 0))).toBe(false);
  });

  it('a container whose step completed a checkpoint before the next was due steps after its next batch of any shard once it is due', async () => {
    // Prepare: checkpoint 1 triggered, every shard acked; the last acker is not the leading shard
    const f = stepFixture({ intervalMs: 60_000 });
    await runCoordinatorStep(f.deps, f.settings);
    for (const shardId of f.shardIds) await f.store.putAck(STEP_JOB, inlineAck(1, shardId, f.clock.nowMs()));
    const coordination = new ProcessorCoordination({ deps: f.deps, settings: f.settings });
    const [, lastAcker] = f.shardIds as [string, string];
    await coordination.afterBatch(lastAcker, outcome(lastAcker, 1));
    const completed = (await f.store.getCheckpoint(STEP_JOB, 1))?.status;

    // Act
    const beforeDue = coordination.shouldStep(lastAcker, outcome(lastAcker));
    f.clock.advance(60_000);
    const due = coordination.shouldStep(lastAcker, outcome(lastAcker));
    await coordination.afterBatch(lastAcker, outcome(lastAcker));

    // Assess
    expect(completed).toBe('COMPLETED');
    expect([beforeDue, due]).toEqual([false, true]);
    expect((await f.store.getCheckpoint(STEP_JOB, 2))?.status).toBe('PENDING');
    expect(coordination.shouldStep(lastAcker, outcome(lastAcker))).toBe(false);
  });

  it('never steps with checkpointing disabled', () => {
    // Prepare
    const f = stepFixture({});
    const coordination = new ProcessorCoordination({ deps: f.deps, settings: f.settings });

    // Act / Assess
    expect(coordination.shouldStep(f.shardIds[0]!, outcome(f.shardIds[0]!, 1))).toBe(false);
  });

  it('a failing step is logged and does not throw (the batch stands; the supervisor covers)', async () => {
    // Prepare: the coordinator's store is unavailable
    const f = stepFixture({ intervalMs: 1_000 });
    const failing = new Proxy(f.store as CheckpointStore, {
      get(target, property) {
        if (property === 'listCheckpoints') {
          return () => Promise.reject(new StorageUnavailableError('injected: DynamoDB returned 500'));
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const logged: string[] = [];
    const coordination = new ProcessorCoordination({
      deps: { ...f.deps, store: failing, log: (event) => logged.push(event) },
      settings: f.settings,
    });

    // Act
    await coordination.afterBatch(f.shardIds[0]!, outcome(f.shardIds[0]!, 1));

    // Assess
    expect(logged).toEqual(['coordinator-step-failed']);
    expect(await f.store.listCheckpoints(STEP_JOB)).toEqual([]);
  });
});
