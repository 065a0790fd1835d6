/**
 * npm run bench [-- --quick]
 *
 * Measures flinkless against what users would run instead, in one run on this
 * machine: overhead vs a plain handler, per-batch latency added, requests and
 * dollars per million records vs Powertools idempotency, snapshot and restore
 * speed, checkpoint latency, recovery time. Prints a table, writes
 * bench/results.json, refreshes the README's Benchmarks section, and ends with a
 * machine-readable `bench:` line. Exits 1 when a target is missed (named above it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { createAwsClients } from '../core/aws/clients.js';
import { emulatorConnection } from '../local/connection.js';
import { startEmulators } from '../local/emulators.js';
import { measureCheckpointLatency } from './checkpoint-latency.js';
import { measureCostPerMillion } from './cost-per-million.js';
import { measureBatchLatency, measureOverhead } from './overhead.js';
import { measureRecoveryTime } from './recovery-time.js';
import { type BenchResults, checkTargets, refreshReadme, renderMarkdown, summaryLine } from './report.js';
import { BENCH_SETTINGS } from './settings.js';
import { measureSnapshotSpeed } from './snapshot-speed.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-readme': { type: 'boolean', default: false },
    render: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run bench -- [--quick] [--no-readme] [--render]');
  console.log('  --render: refresh the README from bench/results.json without measuring');
  process.exit(0);
}
if (values.render) {
  const saved = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8')) as BenchResults;
  refreshReadme(new URL('../README.md', import.meta.url).pathname, saved);
  console.log(saved.summary);
  process.exit(0);
}
const mode = values.quick ? 'quick' : 'full';
const s = BENCH_SETTINGS[mode];
const startedMs = Date.now();
const log = (line: string) => console.log(`${line} (${((Date.now() - startedMs) / 1000).toFixed(0)}s)`);

console.log(`bench (${mode}): ${availableParallelism()} cores, Node ${process.versions.node}`);
log('snapshot speed...');
const snapshot = await measureSnapshotSpeed(s.snapshot, log);
log('overhead on in-memory ports...');
const overhead = await measureOverhead(s.overhead, log);

const emulators = await startEmulators();
const clients = createAwsClients(emulatorConnection(emulators.endpoints));
let exitCode = 1;
try {
  log('per-batch latency on the emulators...');
  const batchLatency = await measureBatchLatency(clients, s.batchLatency);
  log('cost per million records...');
  const cost = await measureCostPerMillion(clients, s.cost, log);
  log('checkpoint latency...');
  const checkpointLatency = await measureCheckpointLatency(clients, s.checkpointLatency, log);
  log('recovery time...');
  const recovery = await measureRecoveryTime(clients, s.recovery);

  const measured = {
    mode,
    machine: { cpus: availableParallelism(), node: process.versions.node },
    overhead,
    batchLatency,
    cost,
    snapshot,
    checkpointLatency,
    recovery,
  } as const;
  const results: BenchResults = {
    ...measured,
    targets: checkTargets(measured),
    summary: summaryLine(measured),
  };
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  if (!values['no-readme']) refreshReadme(new URL('../README.md', import.meta.url).pathname, results);
  console.log('');
  console.log(renderMarkdown(results));
  console.log('');
  for (const t of results.targets.filter((x) => !x.met)) {
    console.log(`target missed: ${t.name}=${t.measured}, expected ${t.target}`);
  }
  exitCode = results.targets.every((t) => t.met) ? 0 : 1;
  console.log(results.summary);
} catch (error) {
  console.error('bench failed:', error);
  exitCode = 2;
} finally {
  clients.destroy();
  await emulators.stop();
}
process.exit(exitCode);
