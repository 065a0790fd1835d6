/**
 * Everything an operator's state holds for one shard, as plain data: what the
 * state backend captures and what the snapshot codec encodes. Values are whatever
 * the user stored (msgpack-encodable: JSON-like values, Uint8Array, Map, Date...).
 */
export interface TimerEntry {
  /** Partition key the timer was registered under. */
  key: string;
  timestampMs: number;
}

export interface StateSnapshotContent {
  /** state name -> [key, value] pairs, in insertion order. */
  keyed: Record<string, Array<[string, unknown]>>;
  /** Non-keyed operator state by name. */
  operator: Record<string, unknown>;
  timers: { eventTime: TimerEntry[]; processingTime: TimerEntry[] };
  /** Per-shard event-time watermark; null before the first record. */
  watermarkMs: number | null;
  /**
   * EXACTLY_ONCE outputs waiting for their checkpoint to complete (two-phase:
   * pre-committed in the snapshot, published after completion). Absent when empty.
   */
  outbox?: OutboxEntry[];
}

/**
 * One keyed state's live table, read in place by the snapshot encoder instead of
 * being copied into [key, value] pairs. Valid only until the runtime runs user code
 * again (see OperatorRuntime.snapshotView).
 */
export interface KeyedStateTableView {
  readonly table: ReadonlyMap<string, unknown>;
  /** MapState: every value is a Map, whose snapshot form is its [mapKey, value] pairs. */
  readonly valuesAreMaps: boolean;
}

/** What encodeSnapshot reads: content whose keyed states may still be live tables. */
export interface StateSnapshotView extends Omit<StateSnapshotContent, 'keyed'> {
  keyed: Record<string, Array<[string, unknown]> | KeyedStateTableView>;
}

export interface OutboxEntry {
  /** The checkpoint whose completion releases this output. */
  checkpointId: number;
  /** Deterministic: `<shardId>/<sequence number>/<index>`; a sink dedupes on it. */
  id: string;
  key: string;
  value: unknown;
}

/** Where a snapshot came from; travels in the file, so a savepoint can be inspected alone. */
export interface SnapshotMetadata {
  jobId: string;
  shardId: string;
  checkpointId: number;
  /** The barrier's sequence number: the state is as of just before it. */
  sequenceNumber: string;
  operatorName: string;
  createdAtMs: number;
}

export function emptySnapshotContent(): StateSnapshotContent {
  return { keyed: {}, operator: {}, timers: { eventTime: [], processingTime: [] }, watermarkMs: null };
}
