import { afterAll, describe, expect, it } from 'vitest';
import { measureCheckpointLatency } from '../../bench/checkpoint-latency.js';
import { measureCostPerMillion } from '../../bench/cost-per-million.js';
import { measureBatchLatency, measureOverhead } from '../../bench/overhead.js';
import { measureRecoveryTime } from '../../bench/recovery-time.js';
import { measureSnapshotSpeed } from '../../bench/snapshot-speed.js';
import { emulatorClients } from '../support/emulators.js';

// Each benchmark at a tiny size: the shape of its result, never its speed.
const clients = emulatorClients();
afterAll(() => clients.destroy());

const tiny = { shards: 2, batchSize: 20, users: 50 };

describe('bench', () => {
  it('overhead: the sides take turns on the same records and the ratio is framework / plain', async () => {
    const r = await measureOverhead({
      ...tiny,
      frameworkRunMs: 400,
      turnMs: 50,
      intervalMs: 100,
      emulatorRecords: 0,
    });
    expect(r.frameworkRecords).toBeGreaterThan(0);
    expect(r.turns).toBeGreaterThan(1);
    expect(r.plainRecords).toBeGreaterThanOrEqual(r.frameworkRecords);
    expect(r.frameworkRecordsPerSecond).toBeGreaterThan(0);
    expect(r.plainRecordsPerSecond).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.frameworkRecordsPerSecond / r.plainRecordsPerSecond, 2);
  });

  it('batch latency: every framework invocation timed on the emulators, p99 >= p50', async () => {
    const r = await measureBatchLatency(clients, {
      ...tiny,
      frameworkRunMs: 1_500,
      intervalMs: 500,
      emulatorRecords: 200,
    });
    expect(r.invocations).toBeGreaterThan(0);
    expect(r.plainMsPerRecord).toBeGreaterThan(0);
    expect(r.frameworkMsP50).toBeGreaterThan(0);
    expect(r.addedMsP99).toBeGreaterThanOrEqual(r.addedMsP50);
  });

  it('cost: the peer makes exactly 3 DynamoDB writes per record and the ratio comes from both counts', async () => {
    const r = await measureCostPerMillion(clients, {
      ...tiny,
      records: 400,
      peerRecords: 40,
      recordsPerSecond: 100,
      intervalMs: 1_000,
    });
    // Powertools: PutItem (claim) + UpdateItem (result); the effect: one UpdateItem.
    expect(r.peer.dynamoWrites).toBe(3_000_000);
    expect(r.framework.dynamoWrites).toBeGreaterThan(0);
    expect(r.framework.stepFunctionsTransitions).toBeGreaterThan(0);
    expect(r.framework.usd).toBeGreaterThan(0);
    expect(r.frameworkCheckpoints).toBeGreaterThan(0);
    expect(r.writeRequestsRatio).toBeCloseTo(r.peer.dynamoWrites / r.framework.dynamoWrites, 1);
  });

  it('snapshot speed: a child process reports speeds, sizes and the peak memory multiple', async () => {
    const [r] = await measureSnapshotSpeed({ sizesMb: [0.3], repetitions: 1 });
    expect(r!.users).toBeGreaterThan(0);
    expect(r!.stateMb).toBeGreaterThan(0.1);
    for (const speed of [r!.snapshotMBps, r!.snapshotZstdMBps, r!.restoreMBps, r!.restoreZstdMBps]) {
      expect(speed).toBeGreaterThan(0);
    }
    expect(r!.zstdRatio).toBeGreaterThan(1);
    expect(r!.peakMemoryMultiple).toBeGreaterThanOrEqual(0);
  });

  it('checkpoint latency: completed checkpoints are measured trigger to completion', async () => {
    const [r] = await measureCheckpointLatency(clients, {
      ...tiny,
      shardCounts: [2],
      runMs: 3_000,
      intervalMs: 500,
      recordsPerSecond: 100,
    });
    expect(r!.shards).toBe(2);
    expect(r!.checkpoints).toBeGreaterThan(0);
    expect(r!.p50Ms).toBeGreaterThan(0);
    expect(r!.p99Ms).toBeGreaterThanOrEqual(r!.p50Ms);
  });

  it('recovery: a fresh container downloads, decodes and replays exactly the records after the checkpoint', async () => {
    const r = await measureRecoveryTime(clients, {
      stateRecords: 300,
      users: 50,
      replayRecords: 100,
      batchSize: 50,
    });
    expect(r.replayedRecords).toBe(100);
    expect(r.snapshotMb).toBeGreaterThan(0);
    expect(r.totalMs).toBeGreaterThanOrEqual(r.downloadMs + r.decodeMs + r.replayMs - 2);
  });
});
