/**
 * npm run verify:exactly-once [-- --records N --shards N --seed N --crashes-per-point N]
 *
 * On the local emulators (kinesalite, dynalite, s3rver) with the real SDK adapters:
 * a keyed counting/summing operator with event-time timers, a crash injected at
 * every named crash point of the protocol (several times each), retried by the
 * event-source-mapping simulator; the final checkpoint's state is compared with an
 * independent recomputation from the input.
 */
import { parseArgs } from 'node:util';
import { createAwsClients } from '../core/aws/clients.js';
import { CRASH_POINTS } from '../core/processing/crash-points.js';
import { emulatorConnection } from '../local/connection.js';
import { startEmulators } from '../local/emulators.js';
import { runExactlyOnceScenario } from '../local/pipeline/exactly-once-scenario.js';
import { awsParts } from '../local/pipeline/parts.js';
import { provisionResources, uniqueNames } from '../local/resources.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    shards: { type: 'string', default: '4' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    'crashes-per-point': { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npm run verify:exactly-once -- [--records 20000] [--shards 4] [--seed N] [--crashes-per-point 3]',
  );
  process.exit(0);
}
const records = positiveInt('records', values.records);
const shards = positiveInt('shards', values.shards);
const seed = positiveInt('seed', values.seed);
const crashesPerPoint = positiveInt('crashes-per-point', values['crashes-per-point']);

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name}: expected a non-negative integer, found ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

const emulators = await startEmulators();
const clients = createAwsClients(emulatorConnection(emulators.endpoints));
const startedMs = Date.now();
let exitCode = 1;
try {
  const names = uniqueNames('verify');
  await provisionResources(clients, names, { shardCount: shards });
  console.log(
    `verify exactly-once: seed=${seed} records=${records} shards=${shards} crash points=${CRASH_POINTS.length}`,
  );
  const result = await runExactlyOnceScenario({
    parts: awsParts(clients, names),
    jobId: 'verify-job',
    records,
    users: 500,
    seed,
    crashPoints: CRASH_POINTS,
    crashesPerPoint,
    chunkSize: 1_000,
    transientRecordFailureRate: 0.0005,
    onProgress: (line) => console.log(`  ${line} elapsed=${((Date.now() - startedMs) / 1000).toFixed(1)}s`),
  });
  console.log('crashes by point:');
  for (const [point, n] of Object.entries(result.crashes)) console.log(`  ${point.padEnd(28)} ${n}`);
  console.log(
    `checkpoints completed=${result.checkpointsCompleted}/${result.checkpointsTriggered} invocations=${result.esm.invocations} ` +
      `failed=${result.esm.failedInvocations} bisections=${result.esm.bisections} partial=${result.esm.partialFailures} ` +
      `cold-starts=${result.esm.coldStarts} mismatched-shards=[${result.mismatchedShards.join(',')}]`,
  );
  const o = result.outputs;
  console.log(
    `outputs (two-phase): expected=${o.expected} missing=${o.missing} unexpected=${o.unexpected} ` +
      `released-early=${o.releasedEarly} rewrites-of-same-id=${o.duplicates}`,
  );
  const ok =
    o.missing === 0 &&
    o.unexpected === 0 &&
    o.releasedEarly === 0 &&
    result.lost === 0 &&
    result.duplicated === 0 &&
    result.mismatchedShards.length === 0 &&
    result.missedPoints.length === 0;
  if (result.missedPoints.length > 0)
    console.log(`crash points never reached: ${result.missedPoints.join(', ')}`);
  console.log(
    `exactly-once: records=${result.records} crashes=${result.totalCrashes} lost=${result.lost} duplicated=${result.duplicated}`,
  );
  exitCode = ok ? 0 : 1;
} catch (error) {
  console.error(`verify failed (seed ${seed}):`, error);
} finally {
  clients.destroy();
  await emulators.stop();
}
process.exit(exitCode);
