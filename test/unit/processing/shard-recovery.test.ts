import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../core/errors/index.js';
import { GenerationFencedError } from '../../../core/processing/errors.js';
import { ids, JOB_ID, loggedIds, type ProtocolFixture, protocolFixture } from './protocol-fixture.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the batch to be rejected');
}

/** One container processes [a, b, barrier, c, d] and the checkpoint completes; [e, f] follow. */
async function completedCheckpoint(memoryThresholdBytes: number) {
  const fx = await protocolFixture({ memoryThresholdBytes });
  const shardId = fx.shardIds[0]!;
  fx.produce(['a', 'b']);
  const checkpoint = await fx.trigger();
  fx.produce(['c', 'd']);
  const first = fx.recordsAfter(undefined);
  await fx.container({ containerId: 'before-checkpoint' }).processBatch(shardId, first);
  const completion = await fx.complete(checkpoint.checkpointId);
  if (completion.status !== 'COMPLETED') throw new Error(`checkpoint did not complete: ${completion.status}`);
  const second = fx.produce(['e', 'f']);
  return { fx, shardId, checkpoint, first, second };
}

async function bumpGeneration(fx: ProtocolFixture): Promise<void> {
  const job = (await fx.store.getJob(JOB_ID))!;
  const { version: _version, ...rest } = job;
  await fx.store.updateJob(JOB_ID, job.version, { ...rest, generation: job.generation + 1 });
}

describe('cold start from the latest completed checkpoint', () => {
  it.each([
    ['an inline snapshot', 1_000_000],
    ['an uploaded snapshot', 0],
  ])('restores %s and replays only the records after the barrier', async (_name, threshold) => {
    // Prepare
    const { fx, shardId, first, second } = await completedCheckpoint(threshold);
    expect(ids(first)).toEqual(['a', 'b', 'barrier', 'c', 'd']);
    const deliveredBefore = fx.delivered.length;
    const processor = fx.container({ containerId: 'after-checkpoint' });
    // Act
    const outcome = await processor.processBatch(shardId, second);
    // Assess
    expect(outcome).toMatchObject({ coldStart: true, replayed: 2, applied: 2, barriers: 0 });
    expect(ids(fx.delivered.slice(deliveredBefore))).toEqual(['c', 'd', 'e', 'f']);
    expect(fx.liveState(processor)).toBe(fx.referenceState([...first, ...second]));
    expect((await fx.store.getCursor(JOB_ID, shardId))?.lastSequenceNumber).toBe(second[1]!.sequenceNumber);
  });

  it('replays nothing when the batch starts right after the barrier', async () => {
    // Prepare: the batch is [c, d] again, as after a failed first delivery of it.
    const { fx, shardId, first } = await completedCheckpoint(1_000_000);
    const processor = fx.container();
    // Act
    const outcome = await processor.processBatch(shardId, first.slice(3));
    // Assess
    expect(outcome).toMatchObject({ coldStart: true, replayed: 0, applied: 2 });
    expect(outcome.committedSequenceNumber).toBeUndefined();
    expect(loggedIds(fx.liveState(processor))).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('cold start refuses a corrupted snapshot and changes nothing', () => {
  it('fails with SNAPSHOT_CORRUPT when the uploaded snapshot bytes no longer match their SHA-256', async () => {
    // Prepare
    const { fx, shardId, second } = await completedCheckpoint(0);
    const [key] = fx.snapshots.keys();
    fx.snapshots.corrupt(key!, (bytes) => {
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    });
    const before = fx.durable();
    const processor = fx.container();
    // Act
    const error = await rejection(processor.processBatch(shardId, second));
    // Assess
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).reason).toBe('SNAPSHOT_CORRUPT');
    expect(fx.durable()).toBe(before);
    expect(processor.liveRuntime(shardId)).toBeUndefined();
  });

  it.each([
    [
      'a wrong sha256',
      (inline: Uint8Array) => ({ inline, sha256: '0'.repeat(64), sizeBytes: inline.length }),
    ],
    [
      'flipped bytes',
      (inline: Uint8Array, sha256: string) => {
        const flipped = new Uint8Array(inline);
        flipped[20] = flipped[20]! ^ 0xff;
        return { inline: flipped, sha256, sizeBytes: inline.length };
      },
    ],
  ])('fails with SNAPSHOT_CORRUPT for an inline snapshot with %s', async (_name, tamper) => {
    // Prepare
    const { fx, shardId, checkpoint, second } = await completedCheckpoint(1_000_000);
    const ack = (await fx.store.getAck(JOB_ID, checkpoint.checkpointId, shardId))!;
    if (!('inline' in ack.snapshot)) throw new Error('expected an inline ack');
    await fx.store.deleteAcks(JOB_ID, checkpoint.checkpointId);
    await fx.store.putAck(JOB_ID, { ...ack, snapshot: tamper(ack.snapshot.inline, ack.snapshot.sha256) });
    const before = fx.durable();
    // Act
    const error = await rejection(fx.container().processBatch(shardId, second));
    // Assess
    expect((error as CheckpointError).reason).toBe('SNAPSHOT_CORRUPT');
    expect(error.message).toMatch(/expected sha256 .* found/);
    expect(fx.durable()).toBe(before);
  });
});

describe('generation fencing', () => {
  it("fails a cold start with GenerationFencedError when the cursor's generation differs from the job's, changing nothing", async () => {
    // Prepare
    const fx = await protocolFixture();
    const shardId = fx.shardIds[0]!;
    await fx.container().processBatch(shardId, fx.produce(['a', 'b']));
    const next = fx.produce(['c']);
    await bumpGeneration(fx);
    const before = fx.durable();
    const processor = fx.container();
    // Act
    const error = await rejection(processor.processBatch(shardId, next));
    // Assess
    expect(error).toBeInstanceOf(GenerationFencedError);
    expect((error as GenerationFencedError).reason).toBe('GENERATION_FENCED');
    expect(error.message).toMatch(/cursor is at generation 1 but the job is at generation 2/);
    expect(fx.durable()).toBe(before);
    expect(processor.liveRuntime(shardId)).toBeUndefined();
  });

  it('does not let a warm container catch up while a restore has bumped the generation but not yet rewritten its cursor', async () => {
    // Prepare: 'behind' checks the cursor (its state went stale once); another container
    // moved the cursor in generation 1, then a restore bumped the job to 2.
    const fx = await protocolFixture();
    const shardId = fx.shardIds[0]!;
    const events: string[] = [];
    const behind = fx.container({ containerId: 'behind', log: (event) => events.push(event) });
    const other = fx.container({ containerId: 'other' });
    await behind.processBatch(shardId, fx.produce(['a', 'b']));
    await other.processBatch(shardId, fx.produce(['c']));
    await behind.processBatch(shardId, fx.produce(['d']));
    await other.processBatch(shardId, fx.produce(['e']));
    await bumpGeneration(fx);
    const next = fx.produce(['d']);
    const before = fx.durable();
    // Act
    const error = await rejection(behind.processBatch(shardId, next));
    // Assess
    expect(error).toBeInstanceOf(GenerationFencedError);
    expect(events).not.toContain('warm-catch-up');
    expect(fx.durable()).toBe(before);
    expect(behind.liveRuntime(shardId)).toBeUndefined();
  });

  it('fences a warm container after a generation bump and cursor rewrite, and rebuilds cold from the rewritten cursor', async () => {
    // Prepare
    const fx = await protocolFixture();
    const shardId = fx.shardIds[0]!;
    const first = fx.produce(['a', 'b']);
    const events: string[] = [];
    const warm = fx.container({ containerId: 'warm', log: (event) => events.push(event) });
    await warm.processBatch(shardId, first);
    await bumpGeneration(fx);
    const cursor = (await fx.store.getCursor(JOB_ID, shardId))!;
    await fx.store.replaceCursor(JOB_ID, cursor.version, {
      ...cursor,
      version: cursor.version + 1,
      generation: 2,
      owner: 'restore',
    });
    const second = fx.produce(['c']);
    // Act
    const outcome = await warm.processBatch(shardId, second);
    // Assess
    expect(events).toContain('stale-warm-state');
    expect(events).not.toContain('warm-catch-up');
    expect(outcome).toMatchObject({ coldStart: true, replayed: 2, applied: 1 });
    expect(fx.liveState(warm)).toBe(fx.referenceState([...first, ...second]));
    expect(await fx.store.getCursor(JOB_ID, shardId)).toMatchObject({
      generation: 2,
      version: cursor.version + 2,
      owner: 'warm',
      lastSequenceNumber: second[0]!.sequenceNumber,
    });
  });
});
