import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryStream } from '../../../core/memory/memory-stream.js';
import { EventSourceMappingSimulator } from '../../../local/esm/event-source-mapping.js';
import { MemoryShardSource } from '../../../local/esm/shard-source.js';
import { seededRandom } from '../../../local/pipeline/random.js';

async function containersPerShard(affinity: 'any' | 'shard') {
  const stream = new MemoryStream();
  stream.createShards(4);
  for (let i = 0; i < 400; i++) stream.put(`key-${i}`, Uint8Array.of(i % 256));
  const seen = new Map<string, Set<string>>();
  const esm = new EventSourceMappingSimulator({
    source: new MemoryShardSource(stream),
    batchSize: 5,
    containerAffinity: affinity,
    random: seededRandom(3),
    createContainer: (containerId) => async (event: KinesisStreamEvent) => {
      const shardId = event.Records[0]!.eventID.split(':')[0]!;
      seen.set(shardId, (seen.get(shardId) ?? new Set()).add(containerId));
      return { batchItemFailures: [] };
    },
  });
  await esm.drain();
  return [...seen.values()].map((containers) => containers.size);
}

describe('EventSourceMappingSimulator containerAffinity', () => {
  it("'shard' keeps each shard on the container that last ran it", async () => {
    expect(await containersPerShard('shard')).toEqual([1, 1, 1, 1]);
  });

  it("'any' (the default, as Lambda promises) spreads a shard over several containers", async () => {
    const counts = await containersPerShard('any');
    expect(Math.max(...counts)).toBeGreaterThan(1);
  });
});
