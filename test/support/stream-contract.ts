import { describe, expect, it } from 'vitest';
import { isCheckpointError } from '../../core/errors/index.js';
import {
  compareSequenceNumbers,
  type ReplayStart,
  type ShardDescription,
  type StreamReader,
  type StreamRecord,
  type StreamWriter,
} from '../../core/ports/stream.js';
import { caught } from './snapshot-store-contract.js';

/** What the shared stream contract needs from one implementation, on a fresh 4-shard stream. */
export interface StreamHarness {
  /** Built with a page limit of 7 records. */
  reader: StreamReader;
  writer: StreamWriter;
  splitShard(shardId: string, newStartingHashKey: string): Promise<void>;
  /** A well-formed sequence number strictly between two records of `shardId` that names no record there. */
  absentSequenceNumberBetween(shardId: string, earlier: string, later: string): string;
}

export const CONTRACT_PAGE_LIMIT = 7;

const text = (s: string) => new TextEncoder().encode(s);
const decode = (r: StreamRecord) => new TextDecoder().decode(r.data);

export async function readAll(
  reader: StreamReader,
  shardId: string,
  start: ReplayStart,
  before: string,
): Promise<StreamRecord[][]> {
  const pages: StreamRecord[][] = [];
  for await (const page of reader.readRange(shardId, start, before)) pages.push(page);
  return pages;
}

/** Writes `count` records with payloads `<label>-<i>` on one shard, one call each; returns their sequence numbers. */
export async function putOnShard(
  writer: StreamWriter,
  shard: ShardDescription,
  label: string,
  count: number,
): Promise<string[]> {
  const sequenceNumbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const [written] = await writer.putToShards(
      [{ shardId: shard.shardId, explicitHashKey: shard.startingHashKey }],
      text(`${label}-${i}`),
    );
    sequenceNumbers.push(written!.sequenceNumber);
  }
  return sequenceNumbers;
}

async function openShards(writer: StreamWriter): Promise<ShardDescription[]> {
  return (await writer.listShards()).filter((s) => s.endingSequenceNumber === undefined);
}

/** One behaviour, every StreamReader/StreamWriter: Kinesis (kinesalite) and the in-memory stream. */
export function describeStreamContract(name: string, setup: () => Promise<StreamHarness>) {
  describe(`${name} honours the StreamReader/StreamWriter contract`, () => {
    it('lists 4 open shards whose hash key ranges cover [0, 2^128 - 1] without overlap', async () => {
      // Prepare
      const { writer } = await setup();

      // Act
      const shards = await writer.listShards();

      // Assess
      expect(shards).toHaveLength(4);
      expect(shards.every((s) => s.endingSequenceNumber === undefined && !s.parentShardId)).toBe(true);
      const ranges = shards
        .map((s) => [BigInt(s.startingHashKey), BigInt(s.endingHashKey)] as const)
        .sort((a, b) => (a[0] < b[0] ? -1 : 1));
      expect(ranges[0]![0]).toBe(0n);
      expect(ranges[3]![1]).toBe((1n << 128n) - 1n);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1n);
    });

    it('putToShards lands exactly one record on each target shard, at both ends of its hash range', async () => {
      // Prepare
      const { writer, reader } = await setup();
      const shards = await openShards(writer);
      const targets = shards.map((s, i) => ({
        shardId: s.shardId,
        explicitHashKey: i % 2 === 0 ? s.startingHashKey : s.endingHashKey,
      }));

      // Act
      const written = await writer.putToShards(targets, text('barrier-7'));

      // Assess
      expect(written.map((w) => w.shardId)).toEqual(targets.map((t) => t.shardId));
      for (const [i, shard] of shards.entries()) {
        const [end] = await putOnShard(writer, shard, 'after', 1);
        const pages = await readAll(
          reader,
          shard.shardId,
          { atSequenceNumber: written[i]!.sequenceNumber },
          end!,
        );
        expect(pages.flat().map(decode)).toEqual(['barrier-7']);
        expect(pages.flat()[0]!.shardId).toBe(shard.shardId);
      }
    });

    it('putToShards refuses a target whose hash key lies in another shard, naming both shards', async () => {
      // Prepare
      const { writer } = await setup();
      const [first, second] = await openShards(writer);

      // Act
      const error = await caught(
        writer.putToShards(
          [{ shardId: first!.shardId, explicitHashKey: second!.startingHashKey }],
          text('x'),
        ),
      );

      // Assess
      expect(isCheckpointError(error, 'BAD_INPUT')).toBe(true);
      expect((error as Error).message).toContain(`landed on ${second!.shardId}`);
    });

    it('readRange after S up to F yields (S, F) in order, page by page within the page limit', async () => {
      // Prepare
      const { writer, reader } = await setup();
      const [shard] = await openShards(writer);
      const seqs = await putOnShard(writer, shard!, 'r', 50);

      // Act
      const exclusive = await readAll(reader, shard!.shardId, { afterSequenceNumber: seqs[5]! }, seqs[40]!);
      const inclusive = await readAll(reader, shard!.shardId, { atSequenceNumber: seqs[5]! }, seqs[40]!);

      // Assess
      expect(exclusive.flat().map((r) => r.sequenceNumber)).toEqual(seqs.slice(6, 40));
      expect(inclusive.flat().map((r) => r.sequenceNumber)).toEqual(seqs.slice(5, 40));
      expect(inclusive.flat().map(decode)).toEqual(Array.from({ length: 35 }, (_, i) => `r-${i + 5}`));
      expect(inclusive.length).toBeGreaterThanOrEqual(5);
      expect(inclusive.every((page) => page.length > 0 && page.length <= CONTRACT_PAGE_LIMIT)).toBe(true);
      expect(inclusive.flat().every((r) => r.shardId === shard!.shardId && r.arrivalTimeMs > 0)).toBe(true);
    });

    it('readRange yields nothing when the range is empty', async () => {
      // Prepare
      const { writer, reader } = await setup();
      const [shard] = await openShards(writer);
      const seqs = await putOnShard(writer, shard!, 'e', 3);

      // Act
      const adjacent = await readAll(reader, shard!.shardId, { afterSequenceNumber: seqs[0]! }, seqs[1]!);
      const backwards = await readAll(reader, shard!.shardId, { atSequenceNumber: seqs[2]! }, seqs[1]!);

      // Assess
      expect(adjacent).toEqual([]);
      expect(backwards).toEqual([]);
    });

    it('readRange fails with REPLAY_GAP when the shard is closed before the end record', async () => {
      // Prepare
      const harness = await setup();
      const [shard] = await openShards(harness.writer);
      const seqs = await putOnShard(harness.writer, shard!, 'c', 10);
      const middle = (BigInt(shard!.startingHashKey) + BigInt(shard!.endingHashKey)) / 2n;
      await harness.splitShard(shard!.shardId, middle.toString());
      const beyond = '9'.repeat(56);

      // Act
      const pages: StreamRecord[][] = [];
      const error = await caught(
        (async () => {
          for await (const page of harness.reader.readRange(
            shard!.shardId,
            { atSequenceNumber: seqs[0]! },
            beyond,
          ))
            pages.push(page);
        })(),
      );

      // Assess
      expect(isCheckpointError(error, 'REPLAY_GAP')).toBe(true);
      expect((error as Error).message).toContain(shard!.shardId);
      expect((error as Error).message).toContain(beyond);
      expect(pages.flat().map((r) => r.sequenceNumber)).toEqual(seqs);
      const listed = await harness.writer.listShards();
      expect(listed.find((s) => s.shardId === shard!.shardId)?.endingSequenceNumber).toBeDefined();
      expect(listed.filter((s) => s.parentShardId === shard!.shardId)).toHaveLength(2);
    });

    it('readRange fails with REPLAY_GAP when the AT start record is not on the shard', async () => {
      // Prepare
      const harness = await setup();
      const [shard, other] = await openShards(harness.writer);
      const [earlier] = await putOnShard(harness.writer, shard!, 'a', 1);
      await putOnShard(harness.writer, other!, 'between', 1);
      const [later, end] = await putOnShard(harness.writer, shard!, 'b', 2);
      const absent = harness.absentSequenceNumberBetween(shard!.shardId, earlier!, later!);

      // Act
      const error = await caught(readAll(harness.reader, shard!.shardId, { atSequenceNumber: absent }, end!));

      // Assess
      expect(compareSequenceNumbers(earlier!, absent)).toBeLessThan(0);
      expect(compareSequenceNumbers(absent, later!)).toBeLessThan(0);
      expect(isCheckpointError(error, 'REPLAY_GAP')).toBe(true);
      expect((error as Error).message).toContain(absent);
    });

    it('readRange fails with REPLAY_GAP when an open shard never reaches the end record', async () => {
      // Prepare
      const { writer, reader } = await setup();
      const [shard] = await openShards(writer);
      const seqs = await putOnShard(writer, shard!, 't', 3);

      // Act
      const error = await caught(
        readAll(reader, shard!.shardId, { afterSequenceNumber: seqs[0]! }, '9'.repeat(56)),
      );

      // Assess
      expect(isCheckpointError(error, 'REPLAY_GAP')).toBe(true);
      expect((error as Error).message).toContain(seqs[2]!);
    });

    it('readRange refuses a start that is not a sequence number, before reading', async () => {
      // Prepare
      const { writer, reader } = await setup();
      const [shard] = await openShards(writer);

      // Act
      const error = await caught(readAll(reader, shard!.shardId, { afterSequenceNumber: 'latest' }, '1'));

      // Assess
      expect(isCheckpointError(error, 'BAD_INPUT')).toBe(true);
    });

    it('readRange on a shard that does not exist fails with NOT_FOUND', async () => {
      // Prepare
      const { reader } = await setup();

      // Act
      const error = await caught(
        readAll(reader, 'shardId-000000000099', { afterSequenceNumber: '1' }, '9'.repeat(56)),
      );

      // Assess
      expect(isCheckpointError(error, 'NOT_FOUND')).toBe(true);
    });

    it('reports the retention period in hours', async () => {
      // Prepare
      const { writer } = await setup();

      // Act
      const hours = await writer.retentionPeriodHours();

      // Assess
      expect(hours).toBe(24);
    });
  });
}
