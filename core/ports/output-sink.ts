/** One result of the operator on its way out (ctx.output). */
export interface OutputRecord {
  /** Deterministic `<shardId>/<sequence number>/<index>`: the same output after a replay has the same id. */
  id: string;
  /** The key that was current when it was emitted (usually the partition key). */
  key: string;
  value: unknown;
  shardId: string;
}

/**
 * Where outputs go. EXACTLY_ONCE publishes an output only after the checkpoint
 * covering it completes; after a failure the same output may be written again
 * with the same id, so an exactly-once sink must be idempotent on `id`
 * (a conditional put, a keyed upsert). AT_LEAST_ONCE writes as soon as the batch is done.
 */
export interface OutputSink {
  write(records: OutputRecord[]): Promise<void>;
}
