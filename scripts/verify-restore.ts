/**
 * npm run verify:restore
 *
 * On the emulators, through the real control function: process records, complete
 * checkpoints, process more, restore an earlier checkpoint (and "latest", and a
 * savepoint, and a savepoint into a fresh deployment: new table, new stream, by its
 * S3 path), finish the input, and compare the final state with an independent
 * recomputation. Then every bad input, each checked to be refused with a clear
 * error while DynamoDB and S3 stay byte-for-byte unchanged.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createAwsClients } from '../core/aws/clients.js';
import { abortCheckpoint } from '../core/checkpoint/checkpoint-cleanup.js';
import { tryCompleteCheckpoint } from '../core/checkpoint/checkpoint-completion.js';
import { triggerCheckpoint } from '../core/checkpoint/checkpoint-trigger.js';
import { checkpointPrefix } from '../core/checkpoint/storage-location.js';
import { compileConfig } from '../core/config/index.js';
import { clickCounter } from '../core/state/examples/click-counter.js';
import { emulatorConnection } from '../local/connection.js';
import { startEmulators } from '../local/emulators.js';
import { EventSourceMappingSimulator } from '../local/esm/event-source-mapping.js';
import { clickWorkload } from '../local/pipeline/click-workload.js';
import { controlHandlerOnParts } from '../local/pipeline/control-on-parts.js';
import { FakeClock } from '../local/pipeline/fake-clock.js';
import {
  canonicalState,
  checkpointState,
  referenceState,
  replayOnto,
} from '../local/pipeline/final-state.js';
import { ManualCoordinator } from '../local/pipeline/manual-coordinator.js';
import { awsParts } from '../local/pipeline/parts.js';
import { processorContainer } from '../local/pipeline/processor-container.js';
import { seededRandom } from '../local/pipeline/random.js';
import { createCheckpointTable, createStream, provisionResources, uniqueNames } from '../local/resources.js';
import { storageFingerprint } from '../local/runtime/storage-fingerprint.js';

const JOB = 'restore-job';
const emulators = await startEmulators();
const clients = createAwsClients(emulatorConnection(emulators.endpoints));
let exitCode = 1;

try {
  const clock = new FakeClock(Date.now());
  let scenarios = 0;
  let scenariosOk = 0;
  let badInputs = 0;
  let rejected = 0;
  let changed = 0;

  /** A deployment; `bucket`: share another's state bucket (a fresh table and stream beside it). */
  async function setup(shards: number, bucket?: string) {
    const names = bucket ? { ...uniqueNames('restore'), bucket } : uniqueNames('restore');
    if (bucket) {
      await createStream(clients, names.stream, shards);
      await createCheckpointTable(clients, names.table);
    } else {
      await provisionResources(clients, names, { shardCount: shards });
    }
    const parts = awsParts(clients, names, clock);
    const config = compileConfig({
      jobId: JOB,
      checkpointsDir: `s3://${names.bucket}/checkpoints`,
      intervalMs: 1_000,
    });
    const esm = new EventSourceMappingSimulator({
      source: parts.source,
      createContainer: processorContainer({
        parts,
        operator: clickCounter,
        settings: { jobId: JOB, mode: 'EXACTLY_ONCE', memoryThresholdBytes: 256, compression: 'none' },
      }),
      batchSize: 100,
    });
    const control = controlHandlerOnParts(parts, config, clock, {
      savepointsPrefix: 'checkpoints/savepoints',
      // A savepoint completes once processors ack its barrier: deliver while waiting.
      sleep: async (ms) => {
        clock.advance(ms);
        await esm.pollOnce();
        for (const r of await parts.store.listCheckpoints(JOB)) {
          if (r.status === 'PENDING') await tryCompleteCheckpoint(parts, JOB, r.checkpointId);
        }
      },
    });
    const random = seededRandom(shards * 7);
    const produce = async (n: number) => {
      await parts.produce(clickWorkload(n, 60, random).records);
      await esm.drain();
    };
    const coordinator = new ManualCoordinator(parts, JOB, (id) =>
      checkpointPrefix('checkpoints', JOB, id).replace(/\/$/, ''),
    );
    const checkpoint = () =>
      coordinator.checkpoint(async () => {
        await esm.drain();
        clock.advance(500);
      });
    const matches = async () => {
      const final = await checkpoint();
      for (const [shardId, content] of await checkpointState(parts, JOB, final)) {
        if (canonicalState(content) !== canonicalState(await referenceState(parts, clickCounter, shardId)))
          return false;
      }
      return true;
    };
    /** Final state against a recomputation per shard (after one more checkpoint). */
    const matchesWith = async (expected: (shardId: string) => Promise<string>) => {
      const final = await checkpoint();
      const states = await checkpointState(parts, JOB, final);
      if (states.size !== shards) return false;
      for (const [shardId, content] of states)
        if (canonicalState(content) !== (await expected(shardId))) return false;
      return true;
    };
    return { names, parts, esm, control, produce, checkpoint, matches, matchesWith };
  }

  const scenario = async (name: string, run: () => Promise<boolean>) => {
    scenarios++;
    const ok = await run();
    if (ok) scenariosOk++;
    console.log(`scenario ${ok ? 'ok  ' : 'FAIL'} ${name}`);
  };

  // --- scenarios --------------------------------------------------------
  await scenario('restore an earlier checkpoint mid-run, then finish the input', async () => {
    const t = await setup(4);
    await t.produce(800);
    const first = await t.checkpoint();
    await t.produce(800);
    await t.checkpoint();
    await t.produce(400);
    const result = await t.control({ action: 'restore', checkpointId: first });
    console.log(`  control: ${result.summary}`);
    await t.produce(600);
    return result.ok && (await t.matches());
  });
  await scenario('restore "latest" (dry run first), then finish the input', async () => {
    const t = await setup(2);
    await t.produce(500);
    await t.checkpoint();
    await t.produce(300);
    const dry = await t.control({ action: 'restore', checkpointId: 'latest', dryRun: true });
    const real = await t.control({ action: 'restore', checkpointId: 'latest' });
    console.log(`  control: ${dry.summary}`);
    await t.produce(300);
    return dry.ok && real.ok && (await t.matches());
  });
  await scenario('take a savepoint, process more, restore the savepoint, finish the input', async () => {
    const t = await setup(3);
    await t.produce(600);
    const savepoint = await t.control({ action: 'savepoint', waitMs: 30_000 });
    console.log(`  control: ${savepoint.summary}`);
    const id = (savepoint as { checkpointId?: number }).checkpointId;
    await t.produce(600);
    await t.checkpoint();
    const restored = await t.control({ action: 'restore', checkpointId: id ?? -1 });
    console.log(`  control: ${restored.summary}`);
    await t.produce(300);
    return savepoint.ok && restored.ok && (await t.matches());
  });

  await scenario(
    'restore a savepoint into a fresh deployment (new table and stream) by its S3 path',
    async () => {
      const old = await setup(3);
      await old.produce(600);
      const savepoint = await old.control({ action: 'savepoint', waitMs: 30_000 });
      const id = (savepoint as { checkpointId?: number }).checkpointId ?? -1;
      const prefix = (savepoint as { storagePrefix?: string }).storagePrefix ?? '';
      const savepointState = await checkpointState(old.parts, JOB, id);
      const fresh = await setup(3, old.names.bucket);
      await fresh.produce(500);
      const path = `s3://${old.names.bucket}/${prefix}`;
      const dry = await fresh.control({
        action: 'restore',
        savepointPath: path,
        startPosition: 'trim_horizon',
        dryRun: true,
      });
      const restored = await fresh.control({
        action: 'restore',
        savepointPath: path,
        startPosition: 'trim_horizon',
      });
      console.log(`  control: ${restored.summary}`);
      await fresh.produce(300);
      // Recomputation: the savepoint's state (the old deployment's shards, mapped by position)
      // with every record of the fresh stream applied on top (trim_horizon).
      const mapping = new Map(
        ((restored as { shardMapping?: Array<{ from: string; to: string }> }).shardMapping ?? []).map((m) => [
          m.to,
          m.from,
        ]),
      );
      const ok = await fresh.matchesWith(async (shardId) => {
        const start = savepointState.get(mapping.get(shardId) ?? '');
        if (!start) return 'no savepoint state for this shard';
        return canonicalState(await replayOnto(fresh.parts, clickCounter, shardId, start));
      });
      return savepoint.ok && dry.ok && restored.ok && ok;
    },
  );

  // --- bad inputs -------------------------------------------------------
  const t = await setup(2);
  await t.produce(400);
  const good = await t.checkpoint();
  await t.produce(200);
  const { checkpointId: pending } = await triggerCheckpoint(t.parts, {
    jobId: JOB,
    kind: 'CHECKPOINT',
    storagePrefixFor: (id) => `checkpoints/${JOB}/chk-${id}`,
  });
  const { checkpointId: aborted } = await triggerCheckpoint(t.parts, {
    jobId: JOB,
    kind: 'CHECKPOINT',
    storagePrefixFor: (id) => `checkpoints/${JOB}/chk-${id}`,
  });
  await abortCheckpoint(t.parts, JOB, aborted, 'CHECKPOINT_EXPIRED');
  const other = await setup(1); // another job's checkpoint lives in another deployment
  await other.produce(100);
  const otherJobsCheckpoint = (await other.checkpoint()) + 1000;
  // A savepoint of a 3-shard deployment in this deployment's bucket, for the fresh-deployment bad inputs.
  const three = await setup(3, t.names.bucket);
  await three.produce(300);
  const threeShardSavepoint = await three.control({ action: 'savepoint', waitMs: 30_000 });
  const threeShardPath = `s3://${t.names.bucket}/${(threeShardSavepoint as { storagePrefix?: string }).storagePrefix}`;
  const fresh = await setup(2, t.names.bucket); // a fresh 2-shard deployment sharing the bucket
  await fresh.produce(100);

  const bad = async (
    name: string,
    event: unknown,
    prepare?: () => Promise<void>,
    target: Awaited<ReturnType<typeof setup>> = t,
  ) => {
    badInputs++;
    await prepare?.();
    const before = await storageFingerprint(clients, target.names);
    const result = await target.control(event);
    const after = await storageFingerprint(clients, target.names);
    if (!result.ok) rejected++;
    if (before !== after) changed++;
    const message = result.ok ? '(accepted!)' : (result as { error: { message: string } }).error.message;
    console.log(`bad input ${result.ok ? 'ACCEPTED' : 'rejected'} ${name}: ${message.slice(0, 160)}`);
  };
  await bad('unknown checkpoint id', { action: 'restore', checkpointId: 987 });
  await bad('a PENDING checkpoint', { action: 'restore', checkpointId: pending });
  await bad('an ABORTED checkpoint', { action: 'restore', checkpointId: aborted });
  await bad("another job's savepoint id", { action: 'restore', checkpointId: otherJobsCheckpoint });
  await bad('malformed JSON', '{"action": "restore", "checkpointId": 4');
  await bad('wrong types', { action: 'restore', checkpointId: 'four' });
  await bad('unknown action', { action: 'rollback', checkpointId: good });
  await bad('unknown field', { action: 'restore', checkpointId: good, force: true });
  await bad('startPosition with a checkpoint (not a savepoint)', {
    action: 'restore',
    checkpointId: good,
    startPosition: 'trim_horizon',
  });
  await bad('both checkpointId and savepointPath', {
    action: 'restore',
    checkpointId: good,
    savepointPath: threeShardPath,
  });
  await bad(
    'savepointPath pointing at nothing',
    { action: 'restore', savepointPath: `s3://${t.names.bucket}/savepoints/${JOB}/savepoint-424242` },
    undefined,
    fresh,
  );
  await bad(
    'savepointPath into a stream with another shard count (3 -> 2)',
    { action: 'restore', savepointPath: threeShardPath, startPosition: 'trim_horizon' },
    undefined,
    fresh,
  );
  await bad(
    'savepointPath with the savepoint positions of another stream (no startPosition)',
    { action: 'restore', savepointPath: threeShardPath },
    undefined,
    await setup(3, t.names.bucket),
  );
  await bad(
    'positions past the stream retention, without allowDataLoss',
    { action: 'restore', checkpointId: good },
    async () => {
      clock.advance(25 * 3_600_000);
    },
  );
  await bad(
    'a corrupted snapshot',
    { action: 'restore', checkpointId: good, allowDataLoss: true },
    async () => {
      const acks = await t.parts.store.listAcks(JOB, good);
      const ref = acks.flatMap((a) => ('ref' in a.snapshot ? [a.snapshot.ref] : []))[0];
      if (!ref) throw new Error('expected an uploaded snapshot (memoryThresholdBytes 256)');
      await clients.s3.send(
        new PutObjectCommand({ Bucket: t.names.bucket, Key: ref.key, Body: Buffer.from('garbage') }),
      );
    },
  );

  console.log(
    `restore: scenarios=${scenarios} ok=${scenariosOk} bad-inputs=${badInputs} rejected=${rejected} changed=${changed}`,
  );
  exitCode = scenariosOk === scenarios && rejected === badInputs && changed === 0 ? 0 : 1;
} catch (error) {
  console.error('verify:restore failed:', error);
} finally {
  clients.destroy();
  await emulators.stop();
}
process.exit(exitCode);
