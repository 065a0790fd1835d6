import { beforeEach, describe, expect, it } from 'vitest';
import { abortCheckpoint } from '../../../core/checkpoint/checkpoint-cleanup.js';
import { tryCompleteCheckpoint } from '../../../core/checkpoint/checkpoint-completion.js';
import { triggerCheckpoint } from '../../../core/checkpoint/checkpoint-trigger.js';
import { checkpointPrefix, savepointPrefix } from '../../../core/checkpoint/storage-location.js';
import type { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import type { MemorySnapshotStore } from '../../../core/memory/memory-snapshot-store.js';
import { restoreCheckpoint } from '../../../core/recovery/restore.js';
import { RestoreRefusedError } from '../../../core/recovery/restore-errors.js';
import { clickCounter } from '../../../core/state/examples/click-counter.js';
import { defineOperator } from '../../../core/state/index.js';
import { EventSourceMappingSimulator } from '../../../local/esm/event-source-mapping.js';
import { clickWorkload } from '../../../local/pipeline/click-workload.js';
import { FakeClock } from '../../../local/pipeline/fake-clock.js';
import { canonicalState, checkpointState, referenceState } from '../../../local/pipeline/final-state.js';
import { memoryParts } from '../../../local/pipeline/parts.js';
import { processorContainer } from '../../../local/pipeline/processor-container.js';
import { seededRandom } from '../../../local/pipeline/random.js';

const JOB = 'job-restore';

/** The click counter, plus a side channel counting how often each record is applied (replays show up). */
function countingOperator(applied: Map<string, number>) {
  return defineOperator({
    name: clickCounter.name,
    state: clickCounter.state,
    operatorState: clickCounter.operatorState,
    outOfOrdernessMs: clickCounter.outOfOrdernessMs,
    decode: clickCounter.decode,
    timestampOf: clickCounter.timestampOf!,
    onTimer: clickCounter.onTimer!,
    processElement(event, ctx) {
      applied.set(ctx.record.sequenceNumber, (applied.get(ctx.record.sequenceNumber) ?? 0) + 1);
      clickCounter.processElement(event, ctx);
    },
  });
}

function setup() {
  const clock = new FakeClock(Date.now());
  const parts = memoryParts(3, clock);
  const applied = new Map<string, number>();
  const esm = new EventSourceMappingSimulator({
    source: parts.source,
    createContainer: processorContainer({
      parts,
      operator: countingOperator(applied),
      settings: { jobId: JOB, mode: 'EXACTLY_ONCE', memoryThresholdBytes: 0, compression: 'none' },
    }),
    batchSize: 50,
    // Seeded container choice: which shards find a warm container after a restore is part of what is tested.
    random: seededRandom(5),
  });
  const random = seededRandom(7);
  const produce = (n: number) => parts.produce(clickWorkload(n, 40, random).records);
  const checkpoint = async (kind: 'CHECKPOINT' | 'SAVEPOINT' = 'CHECKPOINT') => {
    const record = await triggerCheckpoint(parts, {
      jobId: JOB,
      kind,
      storagePrefixFor: (id) =>
        (kind === 'SAVEPOINT'
          ? savepointPrefix('savepoints', JOB, id)
          : checkpointPrefix('checkpoints', JOB, id)
        ).replace(/\/$/, ''),
    });
    await esm.drain();
    clock.advance(1_000);
    expect((await tryCompleteCheckpoint(parts, JOB, record.checkpointId)).status).toBe('COMPLETED');
    return record.checkpointId;
  };
  const deps = { store: parts.store, snapshots: parts.snapshots, writer: parts.writer, clock };
  const durable = () => ({
    items: JSON.stringify((parts.store as MemoryCheckpointStore).dump()),
    objects: (parts.snapshots as MemorySnapshotStore).keys().sort(),
  });
  return { clock, parts, esm, applied, produce, checkpoint, deps, durable };
}

describe('restore a retained checkpoint (Flink: resume from a checkpoint)', () => {
  let t: ReturnType<typeof setup>;
  let first: number;
  let second: number;
  beforeEach(async () => {
    t = setup();
    await t.produce(600);
    await t.esm.drain();
    first = await t.checkpoint();
    await t.produce(600);
    await t.esm.drain();
    second = await t.checkpoint();
    await t.produce(300);
    await t.esm.drain();
  });

  it('rolls state back to the checkpoint, replays from its positions, and ends equal to a failure-free run', async () => {
    // Act (counting applications from here on)
    t.applied.clear();
    const plan = await restoreCheckpoint(t.deps, { jobId: JOB, checkpointId: first });
    await t.produce(400);
    await t.esm.drain();
    const final = await t.checkpoint();

    // Assess: the job moved on a generation, the newer checkpoint was discarded...
    expect(plan).toMatchObject({ checkpointId: first, generation: 2, discardNewer: [second], dryRun: false });
    const job = await t.parts.store.getJob(JOB);
    expect(job).toMatchObject({ generation: 2, status: 'RUNNING' });
    expect((await t.parts.store.getCheckpoint(JOB, second))?.status).toBe('DISCARDED');
    // ...records up to the restored barrier were never applied again; every record after it was (replay)...
    const firstAcks = await t.parts.store.listAcks(JOB, first);
    const barrierOf = new Map(firstAcks.map((a) => [a.shardId, a.sequenceNumber]));
    let replayed = 0;
    for (const shard of await t.parts.source.listShardIds()) {
      for (const record of await t.parts.source.read(shard, undefined, 100_000)) {
        if (record.data[0] === 0) continue; // a barrier
        const times = t.applied.get(record.sequenceNumber) ?? 0;
        if (record.sequenceNumber <= barrierOf.get(shard)!) expect(times).toBe(0);
        else {
          expect(times).toBeGreaterThanOrEqual(1);
          replayed++;
        }
      }
    }
    expect(replayed).toBeGreaterThan(1_000);
    // ...and the final state equals the failure-free run over the whole input.
    const states = await checkpointState(t.parts, JOB, final);
    for (const [shardId, content] of states) {
      expect(canonicalState(content)).toBe(
        canonicalState(await referenceState(t.parts, clickCounter, shardId)),
      );
    }
  });

  it('dryRun reports the plan and changes nothing', async () => {
    // Prepare
    const before = t.durable();

    // Act
    const plan = await restoreCheckpoint(t.deps, { jobId: JOB, checkpointId: first, dryRun: true });

    // Assess
    expect(plan).toMatchObject({
      checkpointId: first,
      kind: 'CHECKPOINT',
      dryRun: true,
      discardNewer: [second],
    });
    expect(plan.shards).toHaveLength(3);
    expect(t.durable()).toEqual(before);
  });

  it('"latest" picks the newest completed checkpoint, or a newer savepoint unless preferCheckpointForRecovery', async () => {
    // Prepare
    await t.esm.drain();
    const savepoint = await t.checkpoint('SAVEPOINT');

    // Act
    const latest = await restoreCheckpoint(t.deps, { jobId: JOB, checkpointId: 'latest', dryRun: true });
    const preferred = await restoreCheckpoint(t.deps, {
      jobId: JOB,
      checkpointId: 'latest',
      dryRun: true,
      preferCheckpointForRecovery: true,
    });

    // Assess
    expect(latest.checkpointId).toBe(savepoint);
    expect(preferred.checkpointId).toBe(second);
    expect(preferred.warnings.join(' ')).toContain('FLINK-20427');
  });

  it.each([
    ['an unknown checkpoint id', async () => 999, /checkpoint 999 does not exist/],
    [
      'a PENDING checkpoint',
      async () =>
        (
          await triggerCheckpoint(t.parts, {
            jobId: JOB,
            kind: 'CHECKPOINT',
            storagePrefixFor: (id) => `checkpoints/${JOB}/chk-${id}`,
          })
        ).checkpointId,
      /is PENDING: only a COMPLETED checkpoint/,
    ],
    [
      'an ABORTED checkpoint',
      async () => {
        const { checkpointId } = await triggerCheckpoint(t.parts, {
          jobId: JOB,
          kind: 'CHECKPOINT',
          storagePrefixFor: (id) => `checkpoints/${JOB}/chk-${id}`,
        });
        await abortCheckpoint(t.deps, JOB, checkpointId, 'CHECKPOINT_EXPIRED');
        return checkpointId;
      },
      /is ABORTED \(CHECKPOINT_EXPIRED\)/,
    ],
    [
      'a checkpoint with a corrupted snapshot',
      async () => {
        const [ack] = await t.parts.store.listAcks(JOB, first);
        const key = ack && 'ref' in ack.snapshot ? ack.snapshot.ref.key : '';
        (t.parts.snapshots as MemorySnapshotStore).corrupt(key, (bytes) => {
          bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
        });
        return first;
      },
      /snapshot of shard .* is unusable/,
    ],
    [
      'positions older than the stream retention, without allowDataLoss',
      async () => {
        t.clock.advance(25 * 3_600_000);
        return first;
      },
      /beyond the stream's retention of 24 h.*allowDataLoss/,
    ],
  ])('refuses %s with a clear error, and DynamoDB and S3 are unchanged', async (_name, prepare, message) => {
    // Prepare
    const checkpointId = await prepare();
    const before = t.durable();

    // Act
    const error = await restoreCheckpoint(t.deps, { jobId: JOB, checkpointId }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RestoreRefusedError);
    expect((error as Error).message).toMatch(message);
    expect(t.durable()).toEqual(before);
  });

  it('with allowDataLoss, restores past the retention and says so', async () => {
    // Prepare
    t.clock.advance(25 * 3_600_000);

    // Act
    const plan = await restoreCheckpoint(t.deps, { jobId: JOB, checkpointId: first, allowDataLoss: true });

    // Assess
    expect(plan.warnings.join(' ')).toMatch(/allowDataLoss was given/);
    expect((await t.parts.store.getJob(JOB))?.latestCheckpointId).toBe(first);
  });
});

describe('a restore that crashes half way (control path crash point)', () => {
  it('leaves processors waiting (fenced, nothing lost), and re-running the restore finishes the job correctly', async () => {
    // Prepare: checkpoints and more input, then a restore that dies after its first cursor rewrite
    const t = setup();
    await t.produce(600);
    await t.esm.drain();
    const first = await t.checkpoint();
    await t.produce(600);
    await t.esm.drain();
    await t.checkpoint();
    let rewrites = 0;
    const crashing = new Proxy(t.parts.store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'replaceCursor' || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const result = await value.apply(target, args);
          if (++rewrites === 1) throw new Error('control function killed mid-restore');
          return result;
        };
      },
    });

    // Act 1: the restore dies
    const crash = await restoreCheckpoint(
      { ...t.deps, store: crashing },
      { jobId: JOB, checkpointId: first },
    ).catch((e: unknown) => e);
    // Processors meanwhile: shards whose cursors were not rewritten are fenced and retried, never skipped.
    await t.produce(200);
    await t.esm.pollOnce();

    // Act 2: the operator runs the restore again, the input finishes
    const plan = await restoreCheckpoint(t.deps, { jobId: JOB, checkpointId: first });
    await t.produce(200);
    await t.esm.drain();
    const final = await t.checkpoint();

    // Assess
    expect((crash as Error).message).toBe('control function killed mid-restore');
    expect(t.esm.stats.errors.GENERATION_FENCED ?? 0).toBeGreaterThan(0);
    expect(plan.generation).toBe(3);
    for (const [shardId, content] of await checkpointState(t.parts, JOB, final)) {
      expect(canonicalState(content)).toBe(
        canonicalState(await referenceState(t.parts, clickCounter, shardId)),
      );
    }
  });
});
