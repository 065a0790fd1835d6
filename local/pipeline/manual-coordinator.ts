import {
  type CompletionDependencies,
  tryCompleteCheckpoint,
} from '../../core/checkpoint/checkpoint-completion.js';
import { type TriggerDependencies, triggerCheckpoint } from '../../core/checkpoint/checkpoint-trigger.js';

/** How each coordinator call is made: as it is, or retried as a Step Functions task Retry would. */
export type CallPolicy = <T>(call: () => Promise<T>) => Promise<T>;

const direct: CallPolicy = (call) => call();

/**
 * The coordinator's two actions (trigger, complete) driven by hand at chosen
 * points of a scenario, with the counts a verdict reports. Scenarios that need
 * the real state machine use local/pipeline/coordinated-pipeline.ts instead.
 */
export class ManualCoordinator {
  readonly pending = new Set<number>();
  triggered = 0;
  completed = 0;

  constructor(
    private readonly deps: TriggerDependencies & CompletionDependencies,
    private readonly jobId: string,
    private readonly storagePrefixFor: (checkpointId: number) => string,
    private readonly call: CallPolicy = direct,
  ) {}

  async trigger(): Promise<number> {
    const { jobId, storagePrefixFor } = this;
    const record = await this.call(() =>
      triggerCheckpoint(this.deps, { jobId, kind: 'CHECKPOINT', storagePrefixFor }),
    );
    this.pending.add(record.checkpointId);
    this.triggered++;
    return record.checkpointId;
  }

  /** Completes every pending checkpoint whose acks are in; forgets the ones that ended otherwise. */
  async completePending(): Promise<void> {
    for (const id of [...this.pending]) {
      const result = await this.call(() => tryCompleteCheckpoint(this.deps, this.jobId, id));
      if (result.status === 'COMPLETED') this.completed++;
      if (result.status !== 'PENDING') this.pending.delete(id);
    }
  }

  /**
   * One checkpoint, start to end: trigger it, let `deliver` bring its barriers to
   * every shard, complete it. Throws unless it completed. Returns its id.
   */
  async checkpoint(deliver: () => Promise<void>): Promise<number> {
    const id = await this.trigger();
    await deliver();
    const result = await this.call(() => tryCompleteCheckpoint(this.deps, this.jobId, id));
    this.pending.delete(id);
    if (result.status !== 'COMPLETED')
      throw new Error(`checkpoint ${id} ended ${result.status}, expected COMPLETED`);
    this.completed++;
    return id;
  }

  /**
   * A final checkpoint after all input (its snapshots hold the complete state),
   * triggered again if one is aborted, delivering with `drain` until it completes.
   * Then one more barrier tells every shard that it completed (Flink's
   * notifyCheckpointComplete rides on the next barrier here): its outputs go out.
   * Returns the final checkpoint's id.
   */
  async finish(drain: () => Promise<void>, label: string): Promise<number> {
    let finalId = await this.trigger();
    for (let attempt = 0; attempt < 50; attempt++) {
      await drain();
      const result = await this.call(() => tryCompleteCheckpoint(this.deps, this.jobId, finalId));
      // Completed here, or by a processor's coordinator step meanwhile.
      const completedElsewhere = result.status === 'NOT_PENDING' && result.checkpoint?.status === 'COMPLETED';
      if (result.status === 'COMPLETED' || completedElsewhere) {
        this.pending.delete(finalId);
        this.completed++;
        await this.completePending(); // earlier checkpoints whose barriers were drained with the final one
        await this.trigger();
        await drain();
        await this.completePending();
        return finalId;
      }
      if (result.status !== 'PENDING') {
        this.pending.delete(finalId);
        finalId = await this.trigger();
      }
    }
    throw new Error(`${label}: the final checkpoint ${finalId} never completed`);
  }
}
