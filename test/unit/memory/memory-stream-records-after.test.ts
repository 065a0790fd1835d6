import { describe, expect, it } from 'vitest';
import { MemoryStream } from '../../../core/memory/memory-stream.js';

describe('MemoryStream.recordsAfter', () => {
  it('returns the page after a sequence number, from the start when none, as copies', async () => {
    const stream = new MemoryStream();
    const [shard] = stream.createShards(1);
    for (let i = 0; i < 10; i++) stream.put('k', Uint8Array.of(i));
    const all = stream.records(shard!.shardId);

    const first = stream.recordsAfter(shard!.shardId, undefined, 3);
    expect(first.map((r) => r.data[0])).toEqual([0, 1, 2]);
    const next = stream.recordsAfter(shard!.shardId, all[2]!.sequenceNumber, 3);
    expect(next.map((r) => r.data[0])).toEqual([3, 4, 5]);
    expect(stream.recordsAfter(shard!.shardId, all[9]!.sequenceNumber, 3)).toEqual([]);

    next[0]!.data[0] = 99;
    expect(stream.records(shard!.shardId)[3]!.data[0]).toBe(3);
  });
});
