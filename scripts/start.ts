/**
 * npm start [-- --shards 4 --records 20000 --interval-ms 2000 --mode exactly-once --seed 1 --no-faults]
 *
 * Runs the whole system locally on embedded emulators (see local/runtime/run-local.ts)
 * and ends with `result: match records=<N> checkpoints=<C> restores=<R>` (exit 0) or
 * `result: MISMATCH ...` (exit 1).
 */
import { parseArgs } from 'node:util';
import { type CheckpointRow, runLocal } from '../local/runtime/run-local.js';

const HELP = `usage: npm start -- [options]

Runs flinkless end to end on this machine (no AWS account): Kinesis, DynamoDB and S3
emulators, a click producer, the event-source-mapping simulator feeding the real
processor, the coordinator's real state machine (time-compressed), injected faults,
and an operator restore through the control function. Ends by comparing the final
state with an independent recomputation from the input.

  --shards N           Kinesis shards (default 4)
  --records N          click records to produce (default 20000)
  --interval-ms N      checkpoint interval in simulated ms (default 2000)
  --rate N             simulated records per second (default 1000)
  --mode M             exactly-once | at-least-once (default exactly-once)
  --no-faults          no crashes, no stalled shard
  --seed N             workload and fault schedule seed (default 1)
  --help               this text`;

function fail(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      shards: { type: 'string', default: '4' },
      records: { type: 'string', default: '20000' },
      'interval-ms': { type: 'string', default: '2000' },
      rate: { type: 'string', default: '1000' },
      mode: { type: 'string', default: 'exactly-once' },
      'no-faults': { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
}
try {
  parsed = parse();
} catch (error) {
  fail((error as Error).message);
}
const { values } = parsed;
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const int = (name: string, text: string, min: number, max: number) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    fail(`--${name}: expected an integer from ${min} to ${max}, found "${text}"`);
  return n;
};
const modes = { 'exactly-once': 'EXACTLY_ONCE', 'at-least-once': 'AT_LEAST_ONCE' } as const;
const mode = modes[values.mode as keyof typeof modes];
if (!mode) fail(`--mode: expected exactly-once or at-least-once, found "${values.mode}"`);

const controller = new AbortController();
// Ctrl-C may arrive more than once (npm and tsx relay it): clean up once, exit after.
process.on('SIGINT', () => {
  if (controller.signal.aborted) return;
  console.log('\ninterrupted: stopping the emulators and removing their data...');
  controller.abort();
});

try {
  const result = await runLocal({
    shards: int('shards', values.shards, 1, 16),
    records: int('records', values.records, 1, 1_000_000),
    intervalMs: int('interval-ms', values['interval-ms'], 100, 600_000),
    recordsPerSecond: int('rate', values.rate, 1, 100_000),
    mode,
    faults: !values['no-faults'],
    seed: int('seed', values.seed, 0, 2 ** 31 - 1),
    log: (line) => console.log(line),
    signal: controller.signal,
  });
  console.log('');
  console.log(table(result.checkpoints));
  console.log('');
  console.log(
    `crashes injected=${result.crashes} checkpoints aborted=${result.checkpointsAborted} ` +
      `wall time=${(result.wallMs / 1000).toFixed(1)} s` +
      (result.match
        ? ''
        : ` mismatched shards=[${result.mismatchedShards.join(', ')}] clicks off by ${result.lostOrDuplicatedClicks}`),
  );
  console.log(
    `result: ${result.match ? 'match' : 'MISMATCH'} records=${result.records} ` +
      `checkpoints=${result.checkpointsCompleted} restores=${result.restores}`,
  );
  process.exit(result.match ? 0 : 1);
} catch (error) {
  if (controller.signal.aborted) process.exit(130);
  console.error('local run failed:', error);
  process.exit(1);
}

function table(rows: CheckpointRow[]): string {
  const lines = [
    '| checkpoint | kind | status | duration ms | size bytes | reason |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows.sort((a, b) => a.id - b.id)) {
    lines.push(
      `| ${r.id} | ${r.kind} | ${r.status} | ${r.durationMs ?? ''} | ${r.sizeBytes ?? ''} | ${r.reason ?? ''} |`,
    );
  }
  return lines.join('\n');
}
