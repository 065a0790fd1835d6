import { describe, expect, it } from 'vitest';
import { evenHashKeyRanges, partitionKeyHash } from '../../../core/memory/hash-key-ranges.js';
import { coordinatedHarness, JOB_ID, shardId } from './coordinator-harness.js';

/** Partition keys whose records all land on shard `index` of `shardCount` (Kinesis MD5 routing). */
function partitionKeysOnShard(index: number, shardCount: number, count: number): string[] {
  const range = evenHashKeyRanges(shardCount)[index]!;
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const hash = partitionKeyHash(`user-${i}`);
    if (range.startingHashKey <= hash && hash <= range.endingHashKey) keys.push(`user-${i}`);
  }
  return keys;
}

/**
 * Flink's checkpoint statistics: end-to-end duration, per-subtask acknowledgement
 * latency, and sizes, recorded with the completed checkpoint.
 */
describe('checkpoint statistics', () => {
  it('records durationMs, shards, ack latency min/median/max, inline shards, largest snapshot and total size', async () => {
    // Prepare: all records go to shard 0 (a large snapshot, uploaded); shards 1 and 2 hold
    // empty state (small snapshots, inlined under the 1024-byte threshold); shard 2 acks late
    const h = coordinatedHarness({
      shards: 3,
      recordsPerTick: 20,
      partitionKeys: partitionKeysOnShard(0, 3, 40),
      options: { intervalMs: 60_000, memoryThresholdBytes: 1_024 },
      onTick: (elapsedMs, pipeline) => {
        if (elapsedMs < 1_000) pipeline.stalledShards.add(shardId(2));
        else pipeline.stalledShards.delete(shardId(2));
      },
    });
    // Shard 0 builds up state before the first barrier.
    for (let i = 0; i < 5; i++) await h.pipeline.tick(0);

    // Act
    await h.pipeline.runFor(3_000);

    // Assess
    const record = await h.parts.store.getCheckpoint(JOB_ID, 1);
    expect(record?.status).toBe('COMPLETED');
    const acks = await h.parts.store.listAcks(JOB_ID, 1);
    const byShard = new Map(acks.map((a) => [a.shardId, a]));
    const latencyOf = (index: number) => byShard.get(shardId(index))!.ackTimeMs - record!.triggerTimeMs;
    const sizeOf = (index: number) => {
      const s = byShard.get(shardId(index))!.snapshot;
      return 'ref' in s ? s.ref.sizeBytes : s.sizeBytes;
    };
    const uploaded = byShard.get(shardId(0))!.snapshot;
    expect('ref' in uploaded).toBe(true);
    expect('inline' in byShard.get(shardId(1))!.snapshot).toBe(true);
    expect('inline' in byShard.get(shardId(2))!.snapshot).toBe(true);
    // The stored file is as large as the ack says.
    const stored = [];
    for await (const object of h.parts.snapshots.list(`${record!.storagePrefix}/`)) stored.push(object);
    expect(stored.map((o) => o.sizeBytes)).toEqual([sizeOf(0)]);

    expect(latencyOf(2)).toBeGreaterThanOrEqual(1_000);
    expect(latencyOf(0)).toBeLessThan(1_000);
    const sortedLatencies = [latencyOf(0), latencyOf(1), latencyOf(2)].sort((a, b) => a - b);
    expect(record!.stats).toEqual({
      durationMs: record!.completedAtMs! - record!.triggerTimeMs,
      shards: 3,
      ackLatencyMs: { min: sortedLatencies[0], median: sortedLatencies[1], max: sortedLatencies[2] },
      inlineShards: 2,
      largestSnapshotBytes: sizeOf(0),
    });
    expect(record!.stats!.durationMs).toBeGreaterThanOrEqual(latencyOf(2));
    expect(sizeOf(0)).toBeGreaterThan(Math.max(sizeOf(1), sizeOf(2)));
    expect(record!.totalSizeBytes).toBe(sizeOf(0) + sizeOf(1) + sizeOf(2));
  });
});
