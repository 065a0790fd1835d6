/**
 * npm run bench:snapshot-steps [-- <targetMb>]
 *
 * Where the time of one snapshot goes (the `snapshot-MBps` of npm run bench), step by
 * step, in one process and best of a few runs: what bounds it, and what the old path
 * (copy the state, then msgpackr) cost. The snapshot is taken as at a barrier: into the
 * runtime's output memory, released once hashed (as the ack releases it once uploaded);
 * a runtime's first snapshot, which allocates that memory, is timed on its own.
 * Prints one line per step.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import { Packr } from 'msgpackr';
import { encodeSnapshot, SnapshotOutputBuffer, sha256Hex } from '../core/snapshot/index.js';
import { MsgpackWriter } from '../core/snapshot/msgpack-writer.js';
import { writeSnapshotPayload } from '../core/snapshot/payload-writer.js';
import { encodeMaps, MSGPACKR_OPTIONS } from '../core/snapshot/value-codec.js';
import { BENCH_SNAPSHOT_META, runtimeWithUsers, usersForStateMb } from './snapshot-state.js';
import { MB, round } from './stats.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:snapshot-steps does)');
const targetMb = Number(process.argv[2] ?? 100);
const RUNS = 3;
const meta = BENCH_SNAPSHOT_META;

const users = usersForStateMb(targetMb);
const runtime = runtimeWithUsers(users);
const stateBytes = encodeSnapshot(meta, runtime.snapshotView(), { compression: 'none' }).byteLength;

let majorGcMs = 0;
let majorGcs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if ((entry as { detail?: { kind?: number } }).detail?.kind === 4) {
      majorGcs++;
      majorGcMs += entry.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Best wall time of RUNS runs, each after a full GC; also the major GCs of that run. */
async function best(step: () => void): Promise<{ ms: number; majorGcs: number; majorGcMs: number }> {
  let result = { ms: Number.POSITIVE_INFINITY, majorGcs: 0, majorGcMs: 0 };
  for (let i = 0; i < RUNS; i++) {
    gc!();
    await settle();
    majorGcs = 0;
    majorGcMs = 0;
    const startMs = performance.now();
    step();
    const ms = performance.now() - startMs;
    await settle();
    if (ms < result.ms) result = { ms, majorGcs, majorGcMs };
  }
  return result;
}

type Timing = Awaited<ReturnType<typeof best>>;

function line(name: string, { ms, majorGcs, majorGcMs }: Timing, bytes = stateBytes): void {
  const mbps = bytes > 0 ? `  ${round(bytes / MB / (ms / 1_000), 0)} MB/s` : '';
  const gcs = majorGcs > 0 ? `  (in it ${majorGcs} major GC: ${round(majorGcMs, 0)} ms)` : '';
  console.log(`${name.padEnd(52)} ${round(ms, 0).toString().padStart(6)} ms${mbps}${gcs}`);
}

console.log(
  `state ${round(stateBytes / MB, 1)} MB (${users} users), best of ${RUNS}, Node ${process.versions.node}`,
);
const output = new SnapshotOutputBuffer();
const whole = await best(() => {
  const bytes = encodeSnapshot(meta, runtime.snapshotView(), { compression: 'none', output });
  sha256Hex(bytes);
  output.release(bytes);
});
line('snapshot: snapshotView + encode + sha256', whole);
const first = await best(() => {
  sha256Hex(
    encodeSnapshot(meta, runtime.snapshotView(), { compression: 'none', output: new SnapshotOutputBuffer() }),
  );
});
line("  a runtime's first (allocates its output memory)", first);
line('  snapshotView (timers copied and sorted)', await best(() => runtime.snapshotView()), 0);
const warm = new MsgpackWriter(stateBytes + MB, 0);
const written = await best(() => {
  warm.position = 0;
  writeSnapshotPayload(warm, meta, runtime.snapshotView());
});
line('  msgpack writer, into an already-touched buffer', written);
const fresh = await best(() => {
  const buffer = Buffer.allocUnsafeSlow(stateBytes);
  for (let at = 0; at < buffer.byteLength; at += 4_096) buffer[at] = 0;
});
line('  fresh output buffer: allocate + touch every page', fresh, 0);
const bytes = encodeSnapshot(meta, runtime.snapshotView(), { compression: 'none' });
line('  crc32 (header)', await best(() => crc32(bytes)));
line('  sha256 (ack)', await best(() => sha256Hex(bytes)));
line('  one full GC of this heap, for scale', await best(() => gc()), 0);
console.log('old path, for comparison:');
line('  captureSnapshot (copies the tables)', await best(() => runtime.captureSnapshot()), 0);
const packr = new Packr(MSGPACKR_OPTIONS);
const captured = encodeMaps(runtime.captureSnapshot());
const packed = await best(() => {
  packr.useBuffer(Buffer.allocUnsafeSlow(Math.ceil(stateBytes * 1.25)));
  packr.pack(captured);
});
line('  msgpackr pack of the captured content, presized buffer', packed);
