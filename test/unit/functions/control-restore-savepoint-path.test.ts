import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../../core/config/index.js';
import { MemoryEventSourceControl } from '../../../core/memory/memory-event-source-control.js';
import type { MemorySnapshotStore } from '../../../core/memory/memory-snapshot-store.js';
import { parseSavepointMetadata } from '../../../core/recovery/savepoint-metadata.js';
import { clickCounter } from '../../../core/state/examples/click-counter.js';
import { createControlHandler } from '../../../functions/shared/control-handler.js';
import { FakeClock } from '../../../local/pipeline/fake-clock.js';
import { canonicalState, checkpointState, replayOnto } from '../../../local/pipeline/final-state.js';
import { JOB, startPositionSetup } from '../recovery/start-position-harness.js';

type Deployment = ReturnType<typeof startPositionSetup>;

function control(d: Deployment, jobId = JOB, eventSource?: MemoryEventSourceControl) {
  const config = compileConfig({
    jobId,
    checkpointsDir: 's3://state-bucket/checkpoints',
    savepointsDir: 's3://state-bucket/savepoints',
  });
  return createControlHandler({
    wiring: () => ({
      config,
      store: d.parts.store,
      snapshots: d.parts.snapshots,
      writer: d.parts.writer,
      clock: d.clock,
      checkpointsPrefix: 'checkpoints',
      savepointsPrefix: 'savepoints',
      ...(eventSource ? { eventSource } : {}),
    }),
    sleep: async (ms) => {
      d.clock.advance(ms);
      await d.esm.drain();
    },
  });
}

/** Deployment A takes a savepoint; deployment B (fresh table and stream, same bucket) has input of its own. */
async function twoDeployments(options: { shardsB?: number; jobB?: string } = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const a = startPositionSetup(undefined, clock);
  await a.produce(400);
  const savepointId = await a.complete('SAVEPOINT');
  const savepoint = (await a.parts.store.getCheckpoint(JOB, savepointId))!;
  const b = startPositionSetup(a.parts.snapshots, clock, options.shardsB ?? 3, options.jobB ?? JOB);
  await b.parts.produce([]);
  return { a, b, savepoint, path: `s3://state-bucket/${savepoint.storagePrefix}` };
}

describe('a completed savepoint describes itself in S3 (_metadata)', () => {
  it('names the job, the savepoint, and every shard with its barrier position and snapshot SHA-256', async () => {
    // Prepare
    const { a, savepoint } = await twoDeployments();
    const acks = await a.parts.store.listAcks(JOB, savepoint.checkpointId);

    // Act
    const key = `${savepoint.storagePrefix}/_metadata`;
    const metadata = parseSavepointMetadata(await a.parts.snapshots.getObject(key), key);

    // Assess
    expect(metadata).toMatchObject({
      formatVersion: 1,
      kind: 'SAVEPOINT',
      jobId: JOB,
      checkpointId: savepoint.checkpointId,
      triggerTimeMs: savepoint.triggerTimeMs,
      completedAtMs: savepoint.completedAtMs,
    });
    expect(metadata.shards).toEqual(
      acks
        .map((ack) => ({
          shardId: ack.shardId,
          sequenceNumber: ack.sequenceNumber,
          snapshot: 'ref' in ack.snapshot ? ack.snapshot.ref : undefined,
        }))
        .sort((x, y) => (x.shardId < y.shardId ? -1 : 1)),
    );
  });
});

describe('control restore { savepointPath } into a fresh deployment', () => {
  it('imports the savepoint (record and acks), restores it, and ends at its state plus the new stream', async () => {
    // Prepare
    const { a, b, savepoint, path } = await twoDeployments();
    const savepointState = await checkpointState(a.parts, JOB, savepoint.checkpointId);
    await b.parts.produce([]);
    await b.produce(300);

    // Act
    const result = await control(b)({
      action: 'restore',
      savepointPath: path,
      startPosition: 'trim_horizon',
    });
    await b.produce(200);

    // Assess
    expect(result).toMatchObject({
      ok: true,
      imported: true,
      source: { jobId: JOB, checkpointId: savepoint.checkpointId, storagePrefix: savepoint.storagePrefix },
      startPosition: 'trim_horizon',
    });
    expect(result.summary).toContain(`imported savepoint ${savepoint.checkpointId} of job ${JOB}`);
    const imported = (await b.parts.store.listCheckpoints(JOB)).find(
      (r) => r.storagePrefix === savepoint.storagePrefix,
    );
    expect(imported).toMatchObject({ kind: 'SAVEPOINT', status: 'COMPLETED' });
    await b.assertFinal(async (shardId) =>
      canonicalState(await replayOnto(b.parts, clickCounter, shardId, savepointState.get(shardId)!)),
    );
  });

  it("keeps the imported savepoint's acks as savepoint acks, out of the ack slots later checkpoints overwrite", async () => {
    // Prepare
    const { b, savepoint, path } = await twoDeployments();
    await b.parts.produce([]);

    // Act
    await control(b)({ action: 'restore', savepointPath: path, startPosition: 'trim_horizon' });

    // Assess
    const imported = (await b.parts.store.listCheckpoints(JOB, 'SAVEPOINT')).find(
      (r) => r.storagePrefix === savepoint.storagePrefix,
    )!;
    const acks = await b.parts.store.listAcks(JOB, imported.checkpointId, 'SAVEPOINT');
    expect(acks.map((a) => a.shardId).sort()).toEqual([...imported.expectedShards].sort());
    expect(acks.every((a) => a.kind === 'SAVEPOINT')).toBe(true);
    expect(await b.parts.store.listAcks(JOB, imported.checkpointId, 'CHECKPOINT')).toEqual([]);
  });

  it('run again, restores the savepoint it already holds instead of importing it twice', async () => {
    // Prepare
    const { b, path } = await twoDeployments();
    await b.produce(100);
    const first = await control(b)({ action: 'restore', savepointPath: path, startPosition: 'trim_horizon' });

    // Act
    const second = await control(b)({
      action: 'restore',
      savepointPath: path,
      startPosition: 'trim_horizon',
      dryRun: true,
    });

    // Assess
    expect(first).toMatchObject({ ok: true, imported: true });
    expect(second).toMatchObject({
      ok: true,
      imported: false,
      checkpointId: (first as { checkpointId: number }).checkpointId,
    });
  });

  it.each<[string, (t: Awaited<ReturnType<typeof twoDeployments>>) => Promise<unknown>, RegExp]>([
    [
      'a path with no savepoint',
      async ({ savepoint }) => ({
        action: 'restore',
        savepointPath: `s3://state-bucket/${savepoint.storagePrefix}-nothing`,
      }),
      /expected a savepoint's _metadata object at .*-nothing\/_metadata, found nothing/,
    ],
    [
      'a path in another bucket',
      async ({ savepoint }) => ({
        action: 'restore',
        savepointPath: `s3://other-bucket/${savepoint.storagePrefix}`,
      }),
      /expected a savepoint in this deployment's bucket state-bucket, found bucket other-bucket/,
    ],
    [
      'a savepoint whose snapshot no longer matches its SHA-256',
      async ({ a, savepoint, path }) => {
        const [ack] = await a.parts.store.listAcks(JOB, savepoint.checkpointId);
        if (!ack || !('ref' in ack.snapshot)) throw new Error('expected an uploaded snapshot');
        (a.parts.snapshots as MemorySnapshotStore).corrupt(ack.snapshot.ref.key, (bytes) => {
          bytes[0] = (bytes[0] ?? 0) ^ 0xff;
        });
        return { action: 'restore', savepointPath: path, startPosition: 'trim_horizon' };
      },
      /the snapshot of shard shardId-\d+ is unusable .*SHA-256/,
    ],
  ])('refuses %s with a clear error and changes nothing', async (_name, event, message) => {
    // Prepare
    const t = await twoDeployments();
    await t.b.produce(100);
    const request = await event(t);
    const before = t.b.durable();

    // Act
    const result = await control(t.b)(request);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(message);
    expect(t.b.durable()).toEqual(before);
  });

  it('refuses a stream with another shard count, naming both shard lists, and changes nothing', async () => {
    // Prepare
    const { b, path } = await twoDeployments({ shardsB: 2 });
    const before = b.durable();

    // Act
    const result = await control(b)({
      action: 'restore',
      savepointPath: path,
      startPosition: 'trim_horizon',
    });

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(
      /has 3 shards \(shardId-000000000000, shardId-000000000001, shardId-000000000002\) and this stream has 2 open shards \(shardId-000000000000, shardId-000000000001\)/,
    );
    expect(b.durable()).toEqual(before);
  });

  it("refuses the savepoint's own positions on another stream (named in its _metadata) and changes nothing", async () => {
    // Prepare
    const { a, b, path } = await twoDeployments();
    const before = b.durable();

    // Act
    const result = await control(b)({ action: 'restore', savepointPath: path });

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toContain(`was taken on stream ${a.parts.writer.streamName}`);
    expect(result.summary).toContain(`this deployment reads stream ${b.parts.writer.streamName}`);
    expect(b.durable()).toEqual(before);
  });

  it('refuses the savepoint of another job id unless allowJobIdChange is given', async () => {
    // Prepare
    const { b, path } = await twoDeployments({ jobB: 'job-other' });
    await b.produce(100);
    const before = b.durable();

    // Act
    const refused = await control(
      b,
      'job-other',
    )({ action: 'restore', savepointPath: path, startPosition: 'trim_horizon' });
    const unchanged = b.durable();
    const allowed = await control(
      b,
      'job-other',
    )({
      action: 'restore',
      savepointPath: path,
      startPosition: 'trim_horizon',
      allowJobIdChange: true,
    });

    // Assess
    expect(refused.ok).toBe(false);
    expect(refused.summary).toContain(
      `belongs to job ${JOB}, and this deployment runs job job-other; pass allowJobIdChange: true`,
    );
    expect(unchanged).toEqual(before);
    expect(allowed).toMatchObject({ ok: true, imported: true });
  });

  it('refuses to import into a job that has completed checkpoints of its own', async () => {
    // Prepare
    const { b, path } = await twoDeployments();
    await b.produce(100);
    const own = await b.complete('CHECKPOINT');
    const before = b.durable();

    // Act
    const result = await control(b)({
      action: 'restore',
      savepointPath: path,
      startPosition: 'trim_horizon',
    });

    // Assess
    expect(result.ok).toBe(false);
    expect(result.summary).toContain(`already has completed checkpoints or savepoints (${own})`);
    expect(b.durable()).toEqual(before);
  });
});

describe('control restore of a FAILED job', () => {
  it('sets the job RUNNING, re-enables the event source mappings, and status says how beforehand', async () => {
    // Prepare: the restart strategy gave up: the job is FAILED and its mapping disabled
    const d = startPositionSetup();
    await d.produce(200);
    const checkpoint = await d.complete('CHECKPOINT');
    const eventSource = new MemoryEventSourceControl();
    const job = (await d.parts.store.getJob(JOB))!;
    await d.parts.store.updateJob(JOB, job.version, {
      ...job,
      status: 'FAILED',
      statusReason: 'restart strategy exhausted',
    });
    await eventSource.disable('restart strategy exhausted');
    const status = await control(d, JOB, eventSource)({ action: 'status' });

    // Act
    const result = await control(d, JOB, eventSource)({ action: 'restore', checkpointId: checkpoint });

    // Assess
    expect((status as { howToResume?: string }).howToResume).toContain(
      "re-enables the processor's event source mappings",
    );
    expect(result).toMatchObject({ ok: true, eventSourceMappings: '1 event source mapping(s) re-enabled' });
    expect(eventSource.enabled).toBe(true);
    expect((await d.parts.store.getJob(JOB))?.status).toBe('RUNNING');
  });

  it('without an event source control, says the mappings must be enabled by hand', async () => {
    // Prepare
    const d = startPositionSetup();
    await d.produce(100);
    const checkpoint = await d.complete('CHECKPOINT');
    const job = (await d.parts.store.getJob(JOB))!;
    await d.parts.store.updateJob(JOB, job.version, { ...job, status: 'FAILED' });

    // Act
    const result = await control(d)({ action: 'restore', checkpointId: checkpoint });

    // Assess
    expect((result as { eventSourceMappings?: string }).eventSourceMappings).toContain('NOT re-enabled');
  });
});
