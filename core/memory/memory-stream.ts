import { isEmptyRange, replayGapError, startSequenceNumber } from '../aws/replay-range.js';
import { BadInputError, ConfigError, NotFoundError } from '../errors/index.js';
import { type Clock, systemClock } from '../ports/clock.js';
import {
  type BarrierTarget,
  compareSequenceNumbers,
  type ReplayStart,
  type ShardDescription,
  type StreamReader,
  type StreamRecord,
  type StreamWriter,
} from '../ports/stream.js';
import { evenHashKeyRanges, type HashKeyRange, parseHashKey, partitionKeyHash } from './hash-key-ranges.js';

export interface MemoryStreamOptions {
  /** Default "memory-stream". */
  streamName?: string;
  /** Records per readRange page, like GetRecords' Limit. Default 1000. */
  pageLimit?: number;
  retentionPeriodHours?: number;
  /** Source of arrival times. */
  clock?: Clock;
}

interface MemoryShard {
  description: ShardDescription;
  range: HashKeyRange;
  /** Ascending by sequence number. */
  records: StreamRecord[];
  /** Highest sequence number removed by trimBefore: a replay reaching back to it has a gap. */
  trimmedThrough?: string;
}

const SEQUENCE_WIDTH = 56;
const BARRIER_PARTITION_KEY = 'barrier';

function copy(record: StreamRecord): StreamRecord {
  return { ...record, data: new Uint8Array(record.data) };
}

/** First index whose sequence number is > (or >= when `inclusive`) the given one. */
function indexFrom(records: StreamRecord[], sequenceNumber: string, inclusive: boolean): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const order = compareSequenceNumbers(records[mid]!.sequenceNumber, sequenceNumber);
    if (order < 0 || (order === 0 && !inclusive)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * An in-memory Kinesis stream for fast tests: the same hash-key routing (MD5 of
 * the partition key), shard lineage on split/merge, and the same readRange
 * contract, REPLAY_GAP included. Sequence numbers are increasing 56-digit
 * decimal strings, unique across the stream like Kinesis'.
 */
export class MemoryStream implements StreamReader, StreamWriter {
  readonly streamName: string;
  private readonly shards = new Map<string, MemoryShard>();
  private readonly pageLimit: number;
  private readonly retentionHours: number;
  private readonly clock: Clock;
  private nextShardIndex = 0;
  private lastSequence = 0n;

  constructor(options: MemoryStreamOptions = {}) {
    this.streamName = options.streamName ?? 'memory-stream';
    this.pageLimit = options.pageLimit ?? 1_000;
    if (!Number.isInteger(this.pageLimit) || this.pageLimit < 1) {
      throw new ConfigError('pageLimit', `expected a positive integer, found ${options.pageLimit}`);
    }
    this.retentionHours = options.retentionPeriodHours ?? 24;
    this.clock = options.clock ?? systemClock;
  }

  /** CreateStream: `count` open shards with even hash key ranges. */
  createShards(count: number): ShardDescription[] {
    if (!Number.isInteger(count) || count < 1)
      throw new BadInputError(`shard count must be >= 1, found ${count}`);
    if (this.shards.size > 0) throw new BadInputError('createShards: this stream already has shards');
    return evenHashKeyRanges(count).map((range) => this.addShard(range, {}));
  }

  /** PutRecord: routes by the explicit hash key, else by the MD5 of the partition key. */
  put(
    partitionKey: string,
    data: Uint8Array,
    explicitHashKey?: string,
  ): { shardId: string; sequenceNumber: string } {
    const hashKey =
      explicitHashKey === undefined
        ? partitionKeyHash(partitionKey)
        : parseHashKey(explicitHashKey, 'ExplicitHashKey');
    const shard = [...this.shards.values()].find(
      (s) =>
        s.description.endingSequenceNumber === undefined &&
        s.range.startingHashKey <= hashKey &&
        hashKey <= s.range.endingHashKey,
    );
    if (!shard) throw new BadInputError(`no open shard covers hash key ${hashKey}; create shards first`);
    const record: StreamRecord = {
      shardId: shard.description.shardId,
      sequenceNumber: this.nextSequenceNumber(),
      partitionKey,
      data: new Uint8Array(data),
      arrivalTimeMs: this.clock.nowMs(),
    };
    shard.records.push(record);
    return { shardId: record.shardId, sequenceNumber: record.sequenceNumber };
  }

  /** SplitShard: closes the shard; two children take [start, new - 1] and [new, end]. */
  splitShard(shardId: string, newStartingHashKey: string): [ShardDescription, ShardDescription] {
    const parent = this.openShard(shardId);
    const split = parseHashKey(newStartingHashKey, 'NewStartingHashKey');
    if (split <= parent.range.startingHashKey || split > parent.range.endingHashKey) {
      throw new BadInputError(
        `NewStartingHashKey ${split} must lie in (${parent.range.startingHashKey}, ${parent.range.endingHashKey}] of ${shardId}`,
      );
    }
    this.close(parent);
    const lineage = { parentShardId: shardId };
    return [
      this.addShard({ startingHashKey: parent.range.startingHashKey, endingHashKey: split - 1n }, lineage),
      this.addShard({ startingHashKey: split, endingHashKey: parent.range.endingHashKey }, lineage),
    ];
  }

  /** MergeShards: closes two adjacent shards; one child takes both ranges. */
  mergeShards(shardId: string, adjacentShardId: string): ShardDescription {
    const a = this.openShard(shardId);
    const b = this.openShard(adjacentShardId);
    const [low, high] = a.range.startingHashKey < b.range.startingHashKey ? [a, b] : [b, a];
    if (low.range.endingHashKey + 1n !== high.range.startingHashKey) {
      throw new BadInputError(`${shardId} and ${adjacentShardId} are not adjacent in hash key space`);
    }
    this.close(a);
    this.close(b);
    return this.addShard(
      { startingHashKey: low.range.startingHashKey, endingHashKey: high.range.endingHashKey },
      { parentShardId: shardId, adjacentParentShardId: adjacentShardId },
    );
  }

  /** Retention: drops the shard's records before `sequenceNumber`; returns how many. */
  trimBefore(shardId: string, sequenceNumber: string): number {
    const shard = this.shard(shardId);
    const cut = indexFrom(shard.records, sequenceNumber, true);
    if (cut === 0) return 0;
    shard.trimmedThrough = shard.records[cut - 1]!.sequenceNumber;
    shard.records.splice(0, cut);
    return cut;
  }

  /** The shard's readable records, copied. */
  records(shardId: string): StreamRecord[] {
    return this.shard(shardId).records.map(copy);
  }

  /**
   * Up to `limit` records after `afterSequenceNumber` (from the shard's start when
   * undefined), copied: what a poller reads. Costs O(log n + limit), unlike records().
   */
  recordsAfter(shardId: string, afterSequenceNumber: string | undefined, limit: number): StreamRecord[] {
    const records = this.shard(shardId).records;
    const start = afterSequenceNumber === undefined ? 0 : indexFrom(records, afterSequenceNumber, false);
    return records.slice(start, start + limit).map(copy);
  }

  async listShards(): Promise<ShardDescription[]> {
    return [...this.shards.values()].map((s) => ({ ...s.description }));
  }

  async putToShards(
    targets: BarrierTarget[],
    data: Uint8Array,
  ): Promise<Array<{ shardId: string; sequenceNumber: string }>> {
    const written = targets.map((t) => this.put(BARRIER_PARTITION_KEY, data, t.explicitHashKey));
    targets.forEach((target, i) => {
      const landed = written[i]!;
      if (landed.shardId !== target.shardId) {
        throw new BadInputError(
          `barrier for ${target.shardId} with ExplicitHashKey ${target.explicitHashKey} landed on ` +
            `${landed.shardId} at ${landed.sequenceNumber}: the hash key is outside the target's range ` +
            '(the shard list is stale after a reshard?); list the shards again and retarget',
        );
      }
    });
    return written;
  }

  async retentionPeriodHours(): Promise<number> {
    return this.retentionHours;
  }

  async *readRange(
    shardId: string,
    start: ReplayStart,
    beforeSequenceNumber: string,
  ): AsyncIterable<StreamRecord[]> {
    const shard = this.shard(shardId);
    if (isEmptyRange(shardId, start, beforeSequenceNumber)) return;
    const gap = (found: string) => replayGapError(shardId, start, beforeSequenceNumber, found);
    const from = startSequenceNumber(start);
    const inclusive = 'atSequenceNumber' in start;
    const trimmed = shard.trimmedThrough;
    if (trimmed !== undefined && compareSequenceNumbers(trimmed, from) >= (inclusive ? 0 : 1)) {
      throw gap(`records up to ${trimmed} were trimmed by retention`);
    }
    let index = indexFrom(shard.records, from, inclusive);
    if (inclusive && shard.records[index]?.sequenceNumber !== from) {
      throw gap(`the first record found is ${shard.records[index]?.sequenceNumber ?? 'none'}, not ${from}`);
    }
    let lastYielded: string | undefined;
    // Re-reads shard.records each page: records put between pages are seen, like GetRecords.
    while (index < shard.records.length) {
      const page = shard.records.slice(index, index + this.pageLimit);
      index += page.length;
      const end = page.findIndex((r) => compareSequenceNumbers(r.sequenceNumber, beforeSequenceNumber) >= 0);
      const batch = (end === -1 ? page : page.slice(0, end)).map(copy);
      if (batch.length > 0) {
        lastYielded = batch[batch.length - 1]!.sequenceNumber;
        yield batch;
      }
      if (end !== -1) return;
    }
    throw gap(
      shard.description.endingSequenceNumber === undefined
        ? `reached the latest record (${lastYielded ?? 'none read'}) without seeing ${beforeSequenceNumber}`
        : `the shard is closed and ended ${lastYielded ? `after ${lastYielded}` : 'before any record'}`,
    );
  }

  private nextSequenceNumber(): string {
    this.lastSequence += 1n;
    return this.formatSequenceNumber(this.lastSequence);
  }

  private formatSequenceNumber(sequence: bigint): string {
    return `49${sequence.toString().padStart(SEQUENCE_WIDTH - 2, '0')}`;
  }

  private addShard(
    range: HashKeyRange,
    lineage: { parentShardId?: string; adjacentParentShardId?: string },
  ): ShardDescription {
    const shardId = `shardId-${String(this.nextShardIndex++).padStart(12, '0')}`;
    const description: ShardDescription = {
      shardId,
      ...lineage,
      startingHashKey: range.startingHashKey.toString(),
      endingHashKey: range.endingHashKey.toString(),
      // Like Kinesis: a lower bound below every record the shard will hold.
      startingSequenceNumber: this.formatSequenceNumber(this.lastSequence),
    };
    this.shards.set(shardId, { description, range, records: [] });
    return { ...description };
  }

  private close(shard: MemoryShard): void {
    shard.description.endingSequenceNumber = this.nextSequenceNumber();
  }

  private shard(shardId: string): MemoryShard {
    const shard = this.shards.get(shardId);
    if (!shard) throw new NotFoundError(`shard ${shardId} does not exist in this stream`);
    return shard;
  }

  private openShard(shardId: string): MemoryShard {
    const shard = this.shard(shardId);
    if (shard.description.endingSequenceNumber !== undefined) {
      throw new BadInputError(
        `shard ${shardId} is closed (ended at ${shard.description.endingSequenceNumber})`,
      );
    }
    return shard;
  }
}
