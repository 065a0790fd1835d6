import { describe, expect, it } from 'vitest';
import { isCheckpointError } from '../../../core/errors/index.js';
import { MAX_HASH_KEY } from '../../../core/memory/hash-key-ranges.js';
import { MemoryStream } from '../../../core/memory/memory-stream.js';
import { caught } from '../../support/snapshot-store-contract.js';
import { CONTRACT_PAGE_LIMIT, describeStreamContract, readAll } from '../../support/stream-contract.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function fourShards(): MemoryStream {
  const stream = new MemoryStream({ pageLimit: CONTRACT_PAGE_LIMIT });
  stream.createShards(4);
  return stream;
}

describeStreamContract('MemoryStream', async () => {
  const stream = fourShards();
  return {
    reader: stream,
    writer: stream,
    async splitShard(shardId, newStartingHashKey) {
      stream.splitShard(shardId, newStartingHashKey);
    },
    // Sequence numbers are one counter for the whole stream: +1 is the record written on another shard.
    absentSequenceNumberBetween: (_shardId, earlier) => (BigInt(earlier) + 1n).toString(),
  };
});

describe('MemoryStream', () => {
  it('hands out increasing 56-digit decimal sequence numbers across all shards', () => {
    // Prepare
    const stream = fourShards();

    // Act
    const seqs = Array.from({ length: 20 }, (_, i) => stream.put(`k-${i}`, bytes('v')).sequenceNumber);

    // Assess
    expect(seqs.every((s) => /^\d{56}$/.test(s))).toBe(true);
    expect([...seqs].sort()).toEqual(seqs);
    expect(new Set(seqs).size).toBe(20);
  });

  it('fails with REPLAY_GAP when records after an AFTER start were trimmed by retention', async () => {
    // Prepare
    const stream = fourShards();
    const shardId = 'shardId-000000000000';
    const seqs = Array.from({ length: 6 }, (_, i) => stream.put('p', bytes(`${i}`), '0').sequenceNumber);
    const removed = stream.trimBefore(shardId, seqs[3]!);

    // Act
    const fromTrimmed = await caught(readAll(stream, shardId, { afterSequenceNumber: seqs[1]! }, seqs[5]!));
    const atTrimmed = await caught(readAll(stream, shardId, { atSequenceNumber: seqs[2]! }, seqs[5]!));
    const justAfterTrim = await readAll(stream, shardId, { afterSequenceNumber: seqs[2]! }, seqs[5]!);

    // Assess
    expect(removed).toBe(3);
    expect(isCheckpointError(fromTrimmed, 'REPLAY_GAP')).toBe(true);
    expect((fromTrimmed as Error).message).toContain(`records up to ${seqs[2]} were trimmed`);
    expect(isCheckpointError(atTrimmed, 'REPLAY_GAP')).toBe(true);
    expect(justAfterTrim.flat().map((r) => r.sequenceNumber)).toEqual([seqs[3], seqs[4]]);
    expect(stream.records(shardId).map((r) => r.sequenceNumber)).toEqual(seqs.slice(3));
  });

  it('records a split and a merge with their lineage and routes new records to the children', async () => {
    // Prepare
    const stream = new MemoryStream();
    const [left, right] = stream.createShards(2);
    const split = ((BigInt(left!.startingHashKey) + BigInt(left!.endingHashKey)) / 2n).toString();

    // Act
    const [low, high] = stream.splitShard(left!.shardId, split);
    const merged = stream.mergeShards(high!.shardId, right!.shardId);
    const landed = stream.put('any', bytes('x'), MAX_HASH_KEY.toString());

    // Assess
    const shards = await stream.listShards();
    expect(shards.filter((s) => s.endingSequenceNumber === undefined).map((s) => s.shardId)).toEqual([
      low!.shardId,
      merged.shardId,
    ]);
    expect(low).toMatchObject({
      parentShardId: left!.shardId,
      endingHashKey: (BigInt(split) - 1n).toString(),
    });
    expect(merged).toMatchObject({
      parentShardId: high!.shardId,
      adjacentParentShardId: right!.shardId,
      startingHashKey: split,
      endingHashKey: MAX_HASH_KEY.toString(),
    });
    expect(landed.shardId).toBe(merged.shardId);
  });

  it('keeps stored data apart from the caller: bytes are copied in and out', async () => {
    // Prepare
    const stream = fourShards();
    const data = bytes('abc');
    const first = stream.put('k', data, '0');
    const end = stream.put('k', bytes('end'), '0');
    data[0] = 0;

    // Act
    const [page] = await readAll(
      stream,
      first.shardId,
      { atSequenceNumber: first.sequenceNumber },
      end.sequenceNumber,
    );
    page![0]!.data[1] = 0;

    // Assess
    expect(new TextDecoder().decode(stream.records(first.shardId)[0]!.data)).toBe('abc');
  });

  it('refuses a put outside the hash key space and a split point outside the shard', () => {
    // Prepare
    const stream = fourShards();

    // Act + Assess
    expect(() => stream.put('k', bytes('x'), (MAX_HASH_KEY + 1n).toString())).toThrow(/ExplicitHashKey/);
    expect(() => stream.splitShard('shardId-000000000000', '0')).toThrow(/NewStartingHashKey 0 must lie/);
  });
});
