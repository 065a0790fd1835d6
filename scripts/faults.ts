/**
 * npm run faults [-- --runs 1000 --emulator-runs 50 --seed N --class NAME --skip NAME]
 * npm run faults -- --minutes 10     (soak: storage stays bounded over many simulated hours)
 *
 * The reliability campaign: every fault class (DynamoDB throttling, 5xx and
 * ambiguous writes, S3 5xx, corrupted snapshots, expired Kinesis iterators,
 * duplicate deliveries, zombie invocations, clock skew), each composed with a
 * crash at every named crash point, on seeded runs in memory and on the local
 * emulators; each run's final state is compared with the failure-free run and
 * its storage audited. A failed run prints its fault class and seed.
 */
import { parseArgs } from 'node:util';
import { createAwsClients } from '../core/aws/clients.js';
import { emulatorConnection } from '../local/connection.js';
import { startEmulators } from '../local/emulators.js';
import { describeFailure, formatCampaign, runCampaign } from '../local/faults/campaign.js';
import { FAULT_CLASSES, type FaultClass, isFaultClass } from '../local/faults/fault-classes.js';
import { runSoak } from '../local/faults/soak.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    'emulator-runs': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    class: { type: 'string', multiple: true },
    skip: { type: 'string', multiple: true },
    minutes: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npm run faults -- [--runs 1000] [--emulator-runs 50] [--seed 1] [--class NAME ...] [--skip NAME ...]\n' +
      `classes: ${FAULT_CLASSES.join(', ')}`,
  );
  process.exit(0);
}
if (values.minutes !== undefined) {
  // Soak: keep checkpoints going for the given wall-clock minutes; storage must stay bounded.
  const minutes = Number(values.minutes);
  if (!(minutes > 0 && minutes <= 24 * 60)) {
    console.error(
      `--minutes: expected a number of minutes in (0, 1440], found ${JSON.stringify(values.minutes)}`,
    );
    process.exit(2);
  }
  const soak = await runSoak({ minutes, seed: Number(values.seed), log: (line) => console.log(line) });
  console.log(
    `soak: simulated-hours=${soak.simulatedHours} checkpoints=${soak.checkpoints} crashes=${soak.crashes} ` +
      `items=${soak.firstHourItems}->${soak.maxItems} objects=${soak.firstHourObjects}->${soak.maxObjects} ` +
      `max-history-events=${soak.maxHistoryEvents} bounded=${soak.bounded ? 'yes' : 'NO'}`,
  );
  process.exit(soak.bounded ? 0 : 1);
}
const runs = nonNegativeInt('runs', values.runs);
const emulatorRuns = nonNegativeInt('emulator-runs', values['emulator-runs']);
const seed = nonNegativeInt('seed', values.seed);
const chosen = faultClasses('class', values.class ?? []);
const skipped = faultClasses('skip', values.skip ?? []);
const classes = (chosen.length > 0 ? chosen : [...FAULT_CLASSES]).filter((c) => !skipped.includes(c));

function faultClasses(option: string, names: string[]): FaultClass[] {
  for (const name of names) {
    if (!isFaultClass(name)) {
      console.error(
        `--${option}: expected one of ${FAULT_CLASSES.join(', ')}, found ${JSON.stringify(name)}`,
      );
      process.exit(2);
    }
  }
  return names as FaultClass[];
}

function nonNegativeInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name}: expected a non-negative integer, found ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

const startedMs = Date.now();
const emulators = emulatorRuns > 0 ? await startEmulators() : undefined;
const clients = emulators ? createAwsClients(emulatorConnection(emulators.endpoints)) : undefined;
let exitCode = 1;
try {
  console.log(`faults: ${runs} in-memory runs + ${emulatorRuns} emulator runs from seed ${seed}`);
  let done = 0;
  const report = await runCampaign({
    classes,
    memoryRuns: runs,
    emulatorRuns,
    ...(clients ? { emulators: { kind: 'emulators' as const, clients } } : {}),
    seed,
    onRun: (result) => {
      done++;
      if (
        result.error !== undefined ||
        result.lost + result.duplicated + result.mismatches + result.orphans + result.unverified > 0
      )
        console.log(describeFailure(result));
      if (done % 100 === 0) console.log(`  ${done} runs, ${((Date.now() - startedMs) / 1000).toFixed(1)}s`);
    },
  });
  for (const line of formatCampaign(report)) console.log(line);
  console.log(`elapsed=${((Date.now() - startedMs) / 1000).toFixed(1)}s`);
  exitCode = report.failures.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`faults campaign failed (seed ${seed}):`, error);
} finally {
  clients?.destroy();
  await emulators?.stop();
}
process.exit(exitCode);
