import { describe, expect, it } from 'vitest';
import { restoreCheckpoint } from '../../../core/recovery/restore.js';
import { RestoreRefusedError } from '../../../core/recovery/restore-errors.js';
import { clickCounter } from '../../../core/state/examples/click-counter.js';
import { canonicalState, checkpointState, replayOnto } from '../../../local/pipeline/final-state.js';
import { JOB, startPositionSetup } from './start-position-harness.js';

describe('restore a savepoint with a start position', () => {
  it('trim_horizon: the savepoint state with every record of each shard applied again on top', async () => {
    // Prepare
    const t = startPositionSetup();
    await t.produce(400);
    const savepoint = await t.complete('SAVEPOINT');
    const savepointState = await checkpointState(t.parts, JOB, savepoint);
    await t.produce(300);

    // Act
    const plan = await restoreCheckpoint(t.deps, {
      jobId: JOB,
      checkpointId: savepoint,
      startPosition: 'trim_horizon',
    });
    await t.produce(200);

    // Assess: resumed from a rebased savepoint at each shard's start, and the state is the recomputation
    expect(plan).toMatchObject({ checkpointId: savepoint, startPosition: 'trim_horizon', dryRun: false });
    expect(plan.rebasedAs).toBeGreaterThan(savepoint);
    expect(plan.warnings.join(' ')).toContain('applied again');
    const shards = new Map(
      (await t.parts.writer.listShards()).map((s) => [s.shardId, s.startingSequenceNumber]),
    );
    for (const s of plan.shards) expect(s.startsAfter).toBe(shards.get(s.shardId));
    expect((await t.parts.store.getJob(JOB))?.latestCheckpointId).toBe(plan.rebasedAs);
    await t.assertFinal(async (shardId) =>
      canonicalState(await replayOnto(t.parts, clickCounter, shardId, savepointState.get(shardId)!)),
    );
  });

  it('latest: the savepoint state plus only the records that arrive after the restore; a warning says so', async () => {
    // Prepare
    const t = startPositionSetup();
    await t.produce(400);
    const savepoint = await t.complete('SAVEPOINT');
    const savepointState = await checkpointState(t.parts, JOB, savepoint);
    await t.produce(300);

    // Act
    const plan = await restoreCheckpoint(t.deps, {
      jobId: JOB,
      checkpointId: savepoint,
      startPosition: 'latest',
    });
    await t.produce(200);

    // Assess
    expect(plan.warnings.join(' ')).toContain('skipped');
    const startsAfter = new Map(plan.shards.map((s) => [s.shardId, s.startsAfter]));
    await t.assertFinal(async (shardId) =>
      canonicalState(
        await replayOnto(
          t.parts,
          clickCounter,
          shardId,
          savepointState.get(shardId)!,
          startsAfter.get(shardId),
        ),
      ),
    );
    // The 300 records between the savepoint and the restore are in no shard's state.
    const skipped = (
      await t.parts.source.read(plan.shards[0]!.shardId, plan.shards[0]!.sequenceNumber, 10_000)
    ).filter((r) => r.sequenceNumber <= startsAfter.get(plan.shards[0]!.shardId)! && r.data[0] !== 0);
    expect(skipped.length).toBeGreaterThan(0);
  });

  it("keeps the rebased savepoint's acks as savepoint acks, out of the ack slots later checkpoints overwrite", async () => {
    // Prepare
    const t = startPositionSetup();
    await t.produce(100);
    const savepoint = await t.complete('SAVEPOINT');

    // Act
    const plan = await restoreCheckpoint(t.deps, {
      jobId: JOB,
      checkpointId: savepoint,
      startPosition: 'trim_horizon',
    });

    // Assess
    const rebased = plan.rebasedAs!;
    const acks = await t.parts.store.listAcks(JOB, rebased, 'SAVEPOINT');
    expect(acks.length).toBe(plan.shards.length);
    expect(acks.every((a) => a.kind === 'SAVEPOINT')).toBe(true);
    expect(await t.parts.store.listAcks(JOB, rebased, 'CHECKPOINT')).toEqual([]);
  });

  it('dryRun reports the start position and changes nothing', async () => {
    // Prepare
    const t = startPositionSetup();
    await t.produce(200);
    const savepoint = await t.complete('SAVEPOINT');
    const before = t.durable();

    // Act
    const plan = await restoreCheckpoint(t.deps, {
      jobId: JOB,
      checkpointId: savepoint,
      startPosition: 'latest',
      dryRun: true,
    });

    // Assess
    expect(plan).toMatchObject({ dryRun: true, startPosition: 'latest' });
    expect(plan.shards[0]!.startsAfter).toContain('current end');
    expect(t.durable()).toEqual(before);
  });

  it.each(['trim_horizon', 'latest', 'savepoint'] as const)(
    'startPosition %s with a checkpoint (not a savepoint) is refused, naming the savepoints, and changes nothing',
    async (startPosition) => {
      // Prepare
      const t = startPositionSetup();
      await t.produce(200);
      const savepoint = await t.complete('SAVEPOINT');
      const checkpoint = await t.complete('CHECKPOINT');
      const before = t.durable();

      // Act
      const error = await restoreCheckpoint(t.deps, {
        jobId: JOB,
        checkpointId: checkpoint,
        startPosition,
      }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(RestoreRefusedError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `startPosition applies to savepoints only, and ${checkpoint} is a checkpoint.*${savepoint} \\(savepoint\\)`,
        ),
      );
      expect(t.durable()).toEqual(before);
    },
  );
});
