import type { CheckpointLatencyOptions } from './checkpoint-latency.js';
import type { CostOptions } from './cost-per-million.js';
import type { OverheadOptions } from './overhead.js';
import type { RecoveryOptions } from './recovery-time.js';
import type { SnapshotSpeedOptions } from './snapshot-speed.js';

export interface BenchSettings {
  overhead: OverheadOptions;
  batchLatency: Pick<OverheadOptions, 'shards' | 'users' | 'batchSize' | 'intervalMs' | 'emulatorRecords'> & {
    frameworkRunMs: number;
  };
  cost: CostOptions;
  snapshot: SnapshotSpeedOptions;
  checkpointLatency: CheckpointLatencyOptions;
  recovery: RecoveryOptions;
}

const common = { shards: 4, batchSize: 100, intervalMs: 10_000 };

/** Full run (`npm run bench`) and the short one (`-- --quick`); tests use smaller ones. */
export const BENCH_SETTINGS: Record<'full' | 'quick', BenchSettings> = {
  full: {
    overhead: { ...common, frameworkRunMs: 60_000, turnMs: 250, users: 10_000, emulatorRecords: 10_000 },
    batchLatency: { ...common, frameworkRunMs: 30_000, users: 2_000, emulatorRecords: 10_000 },
    cost: { ...common, records: 100_000, peerRecords: 5_000, recordsPerSecond: 1_000, users: 5_000 },
    snapshot: { sizesMb: [10, 100, 500], repetitions: 3 },
    checkpointLatency: {
      shardCounts: [4, 16],
      runMs: 40_000,
      intervalMs: 2_000,
      recordsPerSecond: 500,
      users: 2_000,
      batchSize: 100,
    },
    recovery: { stateRecords: 100_000, users: 20_000, replayRecords: 20_000, batchSize: 100 },
  },
  quick: {
    overhead: { ...common, frameworkRunMs: 12_000, turnMs: 250, users: 10_000, emulatorRecords: 3_000 },
    batchLatency: { ...common, frameworkRunMs: 12_000, users: 2_000, emulatorRecords: 3_000 },
    cost: { ...common, records: 20_000, peerRecords: 1_000, recordsPerSecond: 1_000, users: 2_000 },
    snapshot: { sizesMb: [10, 100], repetitions: 2 },
    checkpointLatency: {
      shardCounts: [4, 16],
      runMs: 12_000,
      intervalMs: 2_000,
      recordsPerSecond: 400,
      users: 2_000,
      batchSize: 100,
    },
    recovery: { stateRecords: 20_000, users: 5_000, replayRecords: 5_000, batchSize: 100 },
  },
};
