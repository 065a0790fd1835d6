import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface SnapshotSpeedOptions {
  /** Target sizes of the encoded (uncompressed) keyed state, in MB. */
  sizesMb: number[];
  /** Repetitions per size (the best is kept: the machine is shared). */
  repetitions: number;
}

export interface SnapshotSizeResult {
  targetMb: number;
  users: number;
  /** Uncompressed payload size: "the state size". */
  stateMb: number;
  /** capture + encode + hash with the default settings (no compression). */
  snapshotMBps: number;
  /** capture + encode + zstd (level 3) + hash. */
  snapshotZstdMBps: number;
  zstdRatio: number;
  /** SHA-256 check + decode + restore into a runtime, uncompressed file. */
  restoreMBps: number;
  restoreZstdMBps: number;
  /** Peak RSS growth during one snapshot (default settings) / state size. */
  peakMemoryMultiple: number;
}

const WORKER = fileURLToPath(new URL('./snapshot-worker.ts', import.meta.url));

/**
 * Each size runs in its own Node process, so its peak RSS belongs to that size
 * alone (the worker reports the growth of the process's maximum RSS during one
 * snapshot, after a full GC).
 */
export async function measureSnapshotSpeed(
  options: SnapshotSpeedOptions,
  log: (line: string) => void = () => undefined,
): Promise<SnapshotSizeResult[]> {
  const results: SnapshotSizeResult[] = [];
  for (const targetMb of options.sizesMb) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--expose-gc',
        `--max-old-space-size=${Math.max(4_096, targetMb * 20)}`,
        '--import',
        'tsx',
        WORKER,
        JSON.stringify({ targetMb, repetitions: options.repetitions }),
      ],
      { maxBuffer: 1 << 20, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]!) as SnapshotSizeResult;
    log(
      `  snapshot ${result.stateMb} MB: ${result.snapshotMBps} MB/s (zstd ${result.snapshotZstdMBps}), ` +
        `restore ${result.restoreMBps} MB/s, peak memory x${result.peakMemoryMultiple}`,
    );
    results.push(result);
  }
  return results;
}
