/** One Kinesis record as the framework sees it, whichever way it arrived (event or GetRecords). */
export interface StreamRecord {
  shardId: string;
  /** Kinesis sequence number: a decimal string; compare with compareSequenceNumbers. */
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  /** ApproximateArrivalTimestamp in epoch milliseconds. */
  arrivalTimeMs: number;
}

/** Where a replay starts: after a sequence number, or at one (inclusive). */
export type ReplayStart = { afterSequenceNumber: string } | { atSequenceNumber: string };

export interface StreamReader {
  /**
   * Reads one shard's records from `start` up to but excluding `beforeSequenceNumber`,
   * in order, page by page. Ends as soon as a record >= beforeSequenceNumber is seen.
   * Throws CheckpointError('REPLAY_GAP') when the shard ends or the records are gone
   * (trimmed by retention) before that record is reached: replay must never silently
   * skip data. Expired iterators and throughput errors are retried inside.
   */
  readRange(shardId: string, start: ReplayStart, beforeSequenceNumber: string): AsyncIterable<StreamRecord[]>;
}

export interface ShardDescription {
  shardId: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  startingHashKey: string;
  endingHashKey: string;
  /** The shard's lower bound: every record's sequence number is greater (restore's trim_horizon). */
  startingSequenceNumber?: string;
  /** Set when the shard is closed (after a split or merge). */
  endingSequenceNumber?: string;
}

export interface BarrierTarget {
  shardId: string;
  /** A hash key inside the shard's range, so PutRecords lands on exactly that shard. */
  explicitHashKey: string;
}

export interface StreamWriter {
  /** The stream's name: a savepoint records it, so its positions are never replayed on another stream. */
  readonly streamName: string;
  listShards(): Promise<ShardDescription[]>;
  /** Writes one record per target with ExplicitHashKey routing; returns each record's shard and sequence number. */
  putToShards(
    targets: BarrierTarget[],
    data: Uint8Array,
  ): Promise<Array<{ shardId: string; sequenceNumber: string }>>;
  /** Oldest data still readable, for the retention check on restore. */
  retentionPeriodHours(): Promise<number>;
}

/** Kinesis sequence numbers are decimal strings of varying length: compare numerically. */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
