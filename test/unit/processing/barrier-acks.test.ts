import { describe, expect, it } from 'vitest';
import type { ShardAck } from '../../../core/ports/checkpoint-store.js';
import type { StreamRecord } from '../../../core/ports/stream.js';
import { type CheckpointBarrier, encodeBarrier } from '../../../core/processing/barrier.js';
import { acknowledgeBarrier, captureAtBarrier } from '../../../core/processing/barrier-acks.js';
import type { ProcessorDependencies } from '../../../core/processing/types.js';
import { SnapshotOutputBuffer } from '../../../core/snapshot/index.js';
import { OperatorRuntime } from '../../../core/state/index.js';
import {
  fixedClock,
  ids,
  JOB_ID,
  loggedIds,
  OPERATOR_NAME,
  type ProtocolFixture,
  protocolFixture,
} from './protocol-fixture.js';

/** Per shard: two records, the checkpoint's barrier, one record after it. */
async function pendingCheckpointOnTwoShards(memoryThresholdBytes: number) {
  const fx = await protocolFixture({ shards: 2, memoryThresholdBytes });
  for (const [i, shardId] of fx.shardIds.entries()) fx.produce([`s${i}-a`, `s${i}-b`], shardId);
  const checkpoint = await fx.trigger();
  for (const [i, shardId] of fx.shardIds.entries()) fx.produce([`s${i}-c`], shardId);
  const batches = fx.shardIds.map((shardId) => fx.recordsAfter(undefined, shardId));
  return { fx, checkpoint, batches };
}

async function processAll(fx: ProtocolFixture, batches: StreamRecord[][]) {
  const processor = fx.container();
  const outcomes = [];
  for (const batch of batches) outcomes.push(await processor.processBatch(batch[0]!.shardId, batch));
  return outcomes;
}

function byShard(acks: ShardAck[]): Map<string, ShardAck> {
  return new Map(acks.map((a) => [a.shardId, a]));
}

describe('barrier acks for a PENDING checkpoint', () => {
  it('writes exactly one inline ack per shard below the memory threshold, holding the state just before the barrier', async () => {
    // Prepare
    const { fx, checkpoint, batches } = await pendingCheckpointOnTwoShards(1_000_000);
    expect(batches.map(ids)).toEqual([
      ['s0-a', 's0-b', 'barrier', 's0-c'],
      ['s1-a', 's1-b', 'barrier', 's1-c'],
    ]);
    // Act
    const outcomes = await processAll(fx, batches);
    // Assess
    expect(outcomes.map((o) => [o.barriers, o.acksWritten])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    const acks = byShard(await fx.store.listAcks(JOB_ID, checkpoint.checkpointId));
    expect([...acks.keys()].sort()).toEqual(fx.shardIds);
    for (const [i, batch] of batches.entries()) {
      const ack = acks.get(batch[0]!.shardId)!;
      expect(ack.sequenceNumber).toBe(batch[2]!.sequenceNumber);
      expect(ack.generation).toBe(1);
      expect('inline' in ack.snapshot).toBe(true);
      const state = await fx.ackState(ack);
      expect(state).toBe(fx.referenceState(batch.slice(0, 2)));
      expect(loggedIds(state)).toEqual([`s${i}-a`, `s${i}-b`]);
    }
    expect(fx.snapshots.keys()).toEqual([]);
    expect((await fx.complete(checkpoint.checkpointId)).status).toBe('COMPLETED');
  });

  it('uploads the snapshot under the checkpoint storage prefix at or above the memory threshold and refers to it from the ack', async () => {
    // Prepare
    const { fx, checkpoint, batches } = await pendingCheckpointOnTwoShards(0);
    // Act
    await processAll(fx, batches);
    // Assess
    const acks = byShard(await fx.store.listAcks(JOB_ID, checkpoint.checkpointId));
    expect(acks.size).toBe(2);
    const keys: string[] = [];
    for (const batch of batches) {
      const shardId = batch[0]!.shardId;
      const ack = acks.get(shardId)!;
      if (!('ref' in ack.snapshot)) throw new Error(`expected an S3-style ack for ${shardId}`);
      expect(ack.snapshot.ref.key.startsWith(`${checkpoint.storagePrefix}/${shardId}-`)).toBe(true);
      expect(ack.snapshot.ref.key.endsWith('.snap')).toBe(true);
      keys.push(ack.snapshot.ref.key);
      expect(await fx.ackState(ack)).toBe(fx.referenceState(batch.slice(0, 2)));
    }
    expect(fx.snapshots.keys()).toEqual(keys.sort());
    expect((await fx.complete(checkpoint.checkpointId)).status).toBe('COMPLETED');
  });

  it('inlines a snapshot one byte below the threshold and uploads one exactly at it', async () => {
    // Prepare: the snapshot size is deterministic (fixed clock, same content).
    const probe = await pendingCheckpointOnTwoShards(1_000_000);
    await processAll(probe.fx, probe.batches);
    const probeAck = byShard(await probe.fx.store.listAcks(JOB_ID, 1)).get(probe.fx.shardIds[0]!)!;
    if (!('inline' in probeAck.snapshot)) throw new Error('expected an inline probe ack');
    const sizeBytes = probeAck.snapshot.sizeBytes;
    const below = await pendingCheckpointOnTwoShards(sizeBytes + 1);
    const at = await pendingCheckpointOnTwoShards(sizeBytes);
    // Act
    await processAll(below.fx, below.batches.slice(0, 1));
    await processAll(at.fx, at.batches.slice(0, 1));
    // Assess
    const belowAck = (await below.fx.store.listAcks(JOB_ID, 1))[0]!;
    const atAck = (await at.fx.store.listAcks(JOB_ID, 1))[0]!;
    expect('inline' in belowAck.snapshot).toBe(true);
    expect('ref' in atAck.snapshot && atAck.snapshot.ref.sizeBytes).toBe(sizeBytes);
  });

  it('does not acknowledge twice when a new container retries the batch after the ack', async () => {
    // Prepare
    const { fx, checkpoint, batches } = await pendingCheckpointOnTwoShards(0);
    await processAll(fx, batches);
    const before = fx.durable();
    // Act
    const retried = await processAll(fx, batches);
    // Assess
    expect(retried.map((o) => [o.coldStart, o.barriers, o.acksWritten])).toEqual([
      [true, 1, 0],
      [true, 1, 0],
    ]);
    expect(await fx.store.listAcks(JOB_ID, checkpoint.checkpointId)).toHaveLength(2);
    expect(fx.durable()).toBe(before);
  });
});

describe('barrier acks that must not be written', () => {
  it('writes no ack (and uploads nothing) for a barrier of an ABORTED checkpoint: a late ack is rejected', async () => {
    // Prepare
    const fx = await protocolFixture({ memoryThresholdBytes: 0 });
    fx.produce(['a']);
    const checkpoint = await fx.trigger();
    fx.produce(['b']);
    await fx.store.transitionCheckpoint(JOB_ID, checkpoint.checkpointId, 'PENDING', {
      status: 'ABORTED',
      failureReason: 'expired before all shards acknowledged',
    });
    const skipped: unknown[] = [];
    const processor = fx.container({
      log: (event, fields) => event === 'ack-skipped' && skipped.push(fields.why),
    });
    // Act
    const outcome = await processor.processBatch(fx.shardIds[0]!, fx.recordsAfter(undefined));
    // Assess
    expect(outcome).toMatchObject({ barriers: 1, acksWritten: 0 });
    expect(skipped).toEqual(['checkpoint is ABORTED']);
    expect(await fx.store.listAcks(JOB_ID, checkpoint.checkpointId)).toEqual([]);
    expect(fx.snapshots.keys()).toEqual([]);
    expect(loggedIds(fx.liveState(processor))).toEqual(['a', 'b']);
  });

  it("writes no ack for a checkpoint of another generation than the shard's state", async () => {
    // Prepare: a warm container of generation 1; the job is bumped to 2, then a checkpoint of 2 is triggered.
    const fx = await protocolFixture({ memoryThresholdBytes: 0 });
    const shardId = fx.shardIds[0]!;
    const first = fx.produce(['a']);
    const skipped: unknown[] = [];
    const processor = fx.container({
      log: (event, fields) => event === 'ack-skipped' && skipped.push(fields.why),
    });
    await processor.processBatch(shardId, first);
    const job = (await fx.store.getJob(JOB_ID))!;
    const { version: _version, ...rest } = job;
    await fx.store.updateJob(JOB_ID, job.version, { ...rest, generation: 2 });
    const checkpoint = await fx.trigger();
    fx.produce(['b']);
    // Act
    const outcome = await processor.processBatch(shardId, fx.recordsAfter(first[0]!.sequenceNumber));
    // Assess
    expect(checkpoint.generation).toBe(2);
    expect(outcome).toMatchObject({ barriers: 1, acksWritten: 0 });
    expect(skipped).toEqual(['generation 2 != 1']);
    expect(await fx.store.listAcks(JOB_ID, checkpoint.checkpointId)).toEqual([]);
    expect(fx.snapshots.keys()).toEqual([]);
  });

  it('writes no ack for a barrier of this job naming a checkpoint the store does not know', async () => {
    // Prepare
    const fx = await protocolFixture({ memoryThresholdBytes: 0 });
    fx.produce(['a']);
    fx.stream.put(
      'barrier',
      encodeBarrier({ jobId: JOB_ID, checkpointId: 99, kind: 'CHECKPOINT', triggerTimeMs: 1 }),
    );
    const skipped: unknown[] = [];
    const processor = fx.container({
      log: (event, fields) => event === 'ack-skipped' && skipped.push(fields.why),
    });
    // Act
    const outcome = await processor.processBatch(fx.shardIds[0]!, fx.recordsAfter(undefined));
    // Assess
    expect(outcome).toMatchObject({ barriers: 1, acksWritten: 0 });
    expect(skipped).toEqual(['unknown checkpoint']);
    expect(await fx.store.listAcks(JOB_ID, 99)).toEqual([]);
    expect(fx.snapshots.keys()).toEqual([]);
  });
});

/** The processor's dependencies over a fixture, to drive captureAtBarrier and acknowledgeBarrier directly. */
function depsOf(fx: ProtocolFixture, memoryThresholdBytes: number): ProcessorDependencies {
  return {
    settings: {
      jobId: JOB_ID,
      operatorName: OPERATOR_NAME,
      mode: 'EXACTLY_ONCE',
      memoryThresholdBytes,
      compression: 'none',
      containerId: 'direct',
    },
    store: fx.store,
    snapshots: fx.snapshots,
    reader: fx.stream,
    clock: fixedClock,
    createRuntime: (shardId) => new OperatorRuntime(fx.operator, { shardId, clock: fixedClock }),
  };
}

/** A triggered checkpoint's barrier, and a runtime that applied `records` data records. */
async function barrierAfter(fx: ProtocolFixture, deps: ProcessorDependencies, records: number) {
  const shardId = fx.shardIds[0]!;
  const runtime = deps.createRuntime(shardId);
  for (const record of fx.produce(Array.from({ length: records }, (_, i) => `r${i}`)))
    runtime.processRecord(record);
  const checkpoint = await fx.trigger();
  const barrier: CheckpointBarrier = {
    jobId: JOB_ID,
    checkpointId: checkpoint.checkpointId,
    kind: checkpoint.kind,
    triggerTimeMs: checkpoint.triggerTimeMs,
  };
  return { shardId, runtime, barrier, generation: checkpoint.generation };
}

describe('snapshot memory between barriers', () => {
  it("keeps each barrier's state when two barriers fall in one batch: the second snapshot does not write over the first", async () => {
    // Prepare: two checkpoints pending at once, both barriers in the same batch, uploads.
    const fx = await protocolFixture({ memoryThresholdBytes: 0 });
    fx.produce(['a', 'b']);
    const first = await fx.trigger();
    fx.produce(['c']);
    const second = await fx.trigger();
    fx.produce(['d']);
    const batch = fx.recordsAfter(undefined);
    expect(ids(batch)).toEqual(['a', 'b', 'barrier', 'c', 'barrier', 'd']);

    // Act
    const outcome = await fx.container().processBatch(fx.shardIds[0]!, batch);

    // Assess
    expect(outcome.acksWritten).toBe(2);
    const [firstAck] = await fx.store.listAcks(JOB_ID, first.checkpointId);
    const [secondAck] = await fx.store.listAcks(JOB_ID, second.checkpointId);
    expect(loggedIds(await fx.ackState(firstAck!))).toEqual(['a', 'b']);
    expect(loggedIds(await fx.ackState(secondAck!))).toEqual(['a', 'b', 'c']);
  });

  it("gives uploaded bytes back to the shard's output memory, so its next snapshot writes into the same memory", async () => {
    // Prepare
    const fx = await protocolFixture();
    const deps = depsOf(fx, 0);
    const { shardId, runtime, barrier, generation } = await barrierAfter(fx, deps, 3);
    const output = new SnapshotOutputBuffer();
    const pending = captureAtBarrier(deps, shardId, runtime, output, barrier, '1');

    // Act
    const acknowledged = await acknowledgeBarrier(deps, shardId, generation, pending);
    const next = captureAtBarrier(deps, shardId, runtime, output, barrier, '2');

    // Assess
    expect(acknowledged).toBe(true);
    expect(next.output).toBe(pending.output);
    expect(next.bytes.buffer).toBe(pending.bytes.buffer);
  });

  it('keeps inlined bytes held (the ack holds them): the next snapshot writes elsewhere', async () => {
    // Prepare
    const fx = await protocolFixture();
    const deps = depsOf(fx, 1_000_000);
    const { shardId, runtime, barrier, generation } = await barrierAfter(fx, deps, 3);
    const output = new SnapshotOutputBuffer();
    const pending = captureAtBarrier(deps, shardId, runtime, output, barrier, '1');
    const copyOfInlined = Buffer.from(pending.bytes);

    // Act
    await acknowledgeBarrier(deps, shardId, generation, pending);
    const next = captureAtBarrier(deps, shardId, runtime, output, barrier, '2');

    // Assess
    expect(pending.output.holdsBytes).toBe(true);
    expect(next.bytes.buffer).not.toBe(pending.bytes.buffer);
    expect(Buffer.from(pending.bytes).equals(copyOfInlined)).toBe(true);
  });

  it('keeps the bytes held when the upload fails: an aborted upload may still be reading them', async () => {
    // Prepare
    const fx = await protocolFixture();
    const deps = depsOf(fx, 0);
    const { shardId, runtime, barrier, generation } = await barrierAfter(fx, deps, 3);
    const output = new SnapshotOutputBuffer();
    const pending = captureAtBarrier(deps, shardId, runtime, output, barrier, '1');
    fx.snapshots.faults = {
      before: () => {
        throw new Error('injected: upload failed');
      },
    };

    // Act
    const failure = await acknowledgeBarrier(deps, shardId, generation, pending).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(pending.output.holdsBytes).toBe(true);
    expect(captureAtBarrier(deps, shardId, runtime, output, barrier, '2').bytes.buffer).not.toBe(
      pending.bytes.buffer,
    );
  });

  it('gives the bytes back when the ack is skipped (nothing was sent)', async () => {
    // Prepare: a barrier naming a checkpoint the store does not know.
    const fx = await protocolFixture();
    const deps = depsOf(fx, 0);
    const { shardId, runtime, barrier, generation } = await barrierAfter(fx, deps, 3);
    const output = new SnapshotOutputBuffer();
    const pending = captureAtBarrier(deps, shardId, runtime, output, { ...barrier, checkpointId: 99 }, '1');

    // Act
    const acknowledged = await acknowledgeBarrier(deps, shardId, generation, pending);

    // Assess
    expect(acknowledged).toBe(false);
    expect(pending.output.holdsBytes).toBe(false);
  });
});
