/**
 * npm run verify:restore
 *
 * On the emulators, through the real control function: process records, complete
 * checkpoints, process more, restore an earlier checkpoint (and "latest", and a
 * savepoint), finish the input, and compare the final state with an independent
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
import { createControlHandler } from '../functions/shared/control-handler.js';
import { emulatorConnection } from '../local/connection.js';
import { startEmulators } from '../local/emulators.js';
import { EventSourceMappingSimulator } from '../local/esm/event-source-mapping.js';
import { clickWorkload } from '../local/pipeline/click-workload.js';
import { FakeClock } from '../local/pipeline/fake-clock.js';
import { canonicalState, checkpointState, referenceState } from '../local/pipeline/final-state.js';
import { awsParts } from '../local/pipeline/parts.js';
import { processorContainer } from '../local/pipeline/processor-container.js';
import { seededRandom } from '../local/pipeline/random.js';
import { provisionResources, uniqueNames } from '../local/resources.js';
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

  async function setup(shards: number) {
    const names = uniqueNames('restore');
    await provisionResources(clients, names, { shardCount: shards });
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
    const control = createControlHandler({
      wiring: () => ({
        config,
        store: parts.store,
        snapshots: parts.snapshots,
        writer: parts.writer,
        clock,
        checkpointsPrefix: 'checkpoints',
        savepointsPrefix: 'checkpoints/savepoints',
      }),
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
    const checkpoint = async () => {
      const { checkpointId } = await triggerCheckpoint(parts, {
        jobId: JOB,
        kind: 'CHECKPOINT',
        storagePrefixFor: (id) => checkpointPrefix('checkpoints', JOB, id).replace(/\/$/, ''),
      });
      await esm.drain();
      clock.advance(500);
      const result = await tryCompleteCheckpoint(parts, JOB, checkpointId);
      if (result.status !== 'COMPLETED') throw new Error(`checkpoint ${checkpointId}: ${result.status}`);
      return checkpointId;
    };
    const matches = async () => {
      const final = await checkpoint();
      for (const [shardId, content] of await checkpointState(parts, JOB, final)) {
        if (canonicalState(content) !== canonicalState(await referenceState(parts, clickCounter, shardId)))
          return false;
      }
      return true;
    };
    return { names, parts, esm, control, produce, checkpoint, matches };
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

  const bad = async (name: string, event: unknown, prepare?: () => Promise<void>) => {
    badInputs++;
    await prepare?.();
    const before = await storageFingerprint(clients, t.names);
    const result = await t.control(event);
    const after = await storageFingerprint(clients, t.names);
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
