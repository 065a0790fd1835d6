/**
 * One snapshot-speed measurement in a fresh process (spawned by snapshot-speed.ts):
 * argv[2] = {"targetMb": N, "repetitions": R}; prints one JSON line.
 * The timed path is the processor's at a barrier (captureAtBarrier, then the ack):
 * snapshotView + encodeSnapshot (+ zstd) + sha256Hex, into the runtime's output memory
 * (SnapshotOutputBuffer), whose bytes are released once hashed as the ack releases them
 * once uploaded; restore is the cold path's: sha256Hex + decodeSnapshot + runtime.restore.
 * The first snapshot, which allocates that memory, is the one whose peak memory counts.
 */
import {
  decodeSnapshot,
  encodeSnapshot,
  type SnapshotCompression,
  SnapshotOutputBuffer,
  sha256Hex,
} from '../core/snapshot/index.js';
import { BENCH_SNAPSHOT_META, runtimeWithUsers, usersForStateMb } from './snapshot-state.js';
import { MB, round } from './stats.js';

const { targetMb, repetitions } = JSON.parse(process.argv[2] ?? '{}') as {
  targetMb: number;
  repetitions: number;
};
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const meta = BENCH_SNAPSHOT_META;

const users = usersForStateMb(targetMb);
const runtime = runtimeWithUsers(users);
const output = new SnapshotOutputBuffer();

/** The bytes stay held (restore reads them) until release(). */
function snapshot(compression: SnapshotCompression): { bytes: Uint8Array; ms: number; release(): void } {
  const startMs = performance.now();
  const bytes = encodeSnapshot(meta, runtime.snapshotView(), { compression, output });
  sha256Hex(bytes);
  return { bytes, ms: performance.now() - startMs, release: () => output.release(bytes) };
}

function restore(bytes: Uint8Array): number {
  const startMs = performance.now();
  sha256Hex(bytes);
  runtime.restore(decodeSnapshot(bytes).content);
  return performance.now() - startMs;
}

// Peak memory first, on a quiet heap: max RSS growth over the RSS right before.
gc();
const rssBeforeBytes = process.memoryUsage().rss;
const first = snapshot('none');
const maxRssAfterBytes = process.resourceUsage().maxRSS * 1024;
const stateBytes = first.bytes.byteLength;
const peakMemoryMultiple = Math.max(0, maxRssAfterBytes - rssBeforeBytes) / stateBytes;
first.release();

let noneMs = first.ms;
let zstdMs = Number.POSITIVE_INFINITY;
let restoreMs = Number.POSITIVE_INFINITY;
let restoreZstdMs = Number.POSITIVE_INFINITY;
let zstdBytes = 0;
for (let i = 0; i < repetitions; i++) {
  gc();
  const none = snapshot('none');
  noneMs = Math.min(noneMs, none.ms);
  gc();
  restoreMs = Math.min(restoreMs, restore(none.bytes));
  none.release();
  gc();
  const zstd = snapshot('zstd');
  zstdMs = Math.min(zstdMs, zstd.ms);
  zstdBytes = zstd.bytes.byteLength;
  gc();
  restoreZstdMs = Math.min(restoreZstdMs, restore(zstd.bytes));
}
const mbps = (ms: number) => round(stateBytes / MB / (ms / 1_000), 1);
console.log(
  JSON.stringify({
    targetMb,
    users,
    stateMb: round(stateBytes / MB, 1),
    snapshotMBps: mbps(noneMs),
    snapshotZstdMBps: mbps(zstdMs),
    zstdRatio: round(stateBytes / zstdBytes, 1),
    restoreMBps: mbps(restoreMs),
    restoreZstdMBps: mbps(restoreZstdMs),
    peakMemoryMultiple: round(peakMemoryMultiple, 2),
  }),
);
