import type { OutputRecord, OutputSink } from '../ports/output-sink.js';
import type { OutboxEntry } from '../state/snapshot-content.js';
import type { CheckpointingMode } from './types.js';

/**
 * A shard's outputs (ctx.output) on their way to the sink, by checkpointing mode:
 * - EXACTLY_ONCE (two-phase): outputs since the last barrier are assigned to the
 *   barrier's checkpoint and pre-committed inside its snapshot (the outbox); they
 *   are published once that checkpoint (or a later one) has completed. Replayed
 *   records regenerate the same outputs with the same ids.
 * - AT_LEAST_ONCE: outputs of the invocation's records are written when the batch
 *   is done; outputs of replayed records are not written again (they were, by the
 *   invocation that first processed them). A batch retried after a failure may
 *   write its outputs twice, never zero times.
 */
export class ShardOutputs {
  /** Outputs emitted since the last barrier (EXACTLY_ONCE) or in this invocation (AT_LEAST_ONCE). */
  private unassigned: OutputRecord[] = [];
  private outbox: OutboxEntry[] = [];
  /**
   * The outbox's smallest and largest checkpoint ids (+/-Infinity when empty): every
   * batch asks whether something is ready or waiting, and a scan of a large outbox
   * per batch would cost more than the outputs themselves.
   */
  private outboxMinId = Number.POSITIVE_INFINITY;
  private outboxMaxId = Number.NEGATIVE_INFINITY;
  private origin = '';
  private index = 0;
  /** Replayed records' outputs are regenerated; at-least-once does not write them again. */
  replaying = false;

  constructor(
    private readonly shardId: string,
    private readonly mode: CheckpointingMode,
    restoredOutbox: OutboxEntry[] = [],
  ) {
    this.setOutbox([...restoredOutbox]);
  }

  readonly handler = (value: unknown, key: string): void => {
    if (this.replaying && this.mode === 'AT_LEAST_ONCE') return;
    this.unassigned.push({
      id: `${this.shardId}/${this.origin}/${this.index++}`,
      key,
      value,
      shardId: this.shardId,
    });
  };

  /** Outputs emitted next are attributed to this record (or timer firing). */
  beginOrigin(origin: string): void {
    this.origin = origin;
    this.index = 0;
  }

  /** A failing record may have emitted before throwing: its outputs never happened. */
  dropOrigin(origin: string): void {
    const prefix = `${this.shardId}/${origin}/`;
    this.unassigned = this.unassigned.filter((o) => !o.id.startsWith(prefix));
  }

  /** At a barrier: pre-commit what was emitted before it; returns the outbox to put in the snapshot. */
  assignTo(checkpointId: number): OutboxEntry[] | undefined {
    if (this.mode !== 'EXACTLY_ONCE') return undefined;
    for (const o of this.unassigned) this.outbox.push({ checkpointId, id: o.id, key: o.key, value: o.value });
    if (this.unassigned.length > 0) this.widen(checkpointId);
    this.unassigned = [];
    return this.outbox.length > 0 ? [...this.outbox] : undefined;
  }

  /** Whether publishing needs to know the latest completed checkpoint. */
  waitingForCompletion(knownCompletedId: number | undefined): boolean {
    return this.outbox.length > 0 && (knownCompletedId === undefined || this.outboxMaxId > knownCompletedId);
  }

  hasPublishable(latestCompletedId: number | undefined): boolean {
    return latestCompletedId !== undefined && this.outboxMinId <= latestCompletedId;
  }

  /** Writes what may be written now; returns how many outputs went out. */
  async publish(sink: OutputSink | undefined, latestCompletedId: number | undefined): Promise<number> {
    if (this.mode === 'AT_LEAST_ONCE') {
      const ready = this.unassigned;
      if (ready.length === 0) return 0;
      await sink?.write(ready);
      this.unassigned = [];
      return ready.length;
    }
    if (!this.hasPublishable(latestCompletedId)) return 0;
    const ready: OutputRecord[] = [];
    const waiting: OutboxEntry[] = [];
    for (const e of this.outbox) {
      if (e.checkpointId <= latestCompletedId!)
        ready.push({ id: e.id, key: e.key, value: e.value, shardId: this.shardId });
      else waiting.push(e);
    }
    await sink?.write(ready);
    this.setOutbox(waiting);
    return ready.length;
  }

  private setOutbox(entries: OutboxEntry[]): void {
    this.outbox = entries;
    this.outboxMinId = Number.POSITIVE_INFINITY;
    this.outboxMaxId = Number.NEGATIVE_INFINITY;
    for (const entry of entries) this.widen(entry.checkpointId);
  }

  private widen(checkpointId: number): void {
    if (checkpointId < this.outboxMinId) this.outboxMinId = checkpointId;
    if (checkpointId > this.outboxMaxId) this.outboxMaxId = checkpointId;
  }

  get pendingCount(): number {
    return this.unassigned.length + this.outbox.length;
  }
}
