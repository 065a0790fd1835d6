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
  private outbox: OutboxEntry[];
  private origin = '';
  private index = 0;
  /** Replayed records' outputs are regenerated; at-least-once does not write them again. */
  replaying = false;

  constructor(
    private readonly shardId: string,
    private readonly mode: CheckpointingMode,
    restoredOutbox: OutboxEntry[] = [],
  ) {
    this.outbox = [...restoredOutbox];
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
    this.unassigned = [];
    return this.outbox.length > 0 ? [...this.outbox] : undefined;
  }

  /** Whether publishing needs to know the latest completed checkpoint. */
  waitingForCompletion(knownCompletedId: number | undefined): boolean {
    return this.outbox.some((e) => knownCompletedId === undefined || e.checkpointId > knownCompletedId);
  }

  hasPublishable(latestCompletedId: number | undefined): boolean {
    return latestCompletedId !== undefined && this.outbox.some((e) => e.checkpointId <= latestCompletedId);
  }

  /** Writes what may be written now; returns how many outputs went out. */
  async publish(sink: OutputSink | undefined, latestCompletedId: number | undefined): Promise<number> {
    let ready: OutputRecord[];
    if (this.mode === 'AT_LEAST_ONCE') {
      ready = this.unassigned;
    } else {
      if (latestCompletedId === undefined) return 0;
      ready = this.outbox
        .filter((e) => e.checkpointId <= latestCompletedId)
        .map((e) => ({ id: e.id, key: e.key, value: e.value, shardId: this.shardId }));
    }
    if (ready.length === 0) return 0;
    await sink?.write(ready);
    if (this.mode === 'AT_LEAST_ONCE') this.unassigned = [];
    else this.outbox = this.outbox.filter((e) => e.checkpointId > latestCompletedId!);
    return ready.length;
  }

  get pendingCount(): number {
    return this.unassigned.length + this.outbox.length;
  }
}
