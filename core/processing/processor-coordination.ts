import { lastAck, missingShards } from '../checkpoint/checkpoint-completion.js';
import {
  effectiveIntervalMs,
  effectiveMaxConcurrentCheckpoints,
} from '../checkpoint/checkpoint-coordinator-decisions.js';
import {
  type CoordinatorStepDependencies,
  type CoordinatorStepOptions,
  type CoordinatorStepSettings,
  runCoordinatorStep,
  type StepStatistics,
} from '../checkpoint/coordinator-step.js';
import type { CheckpointRecord, ShardAck } from '../ports/checkpoint-store.js';
import type { BatchOutcome } from './types.js';

/**
 * What a processor needs to run coordinator steps: the coordinator's ports (they
 * may be other instances than the processor's own, e.g. request-counting ones),
 * and its settings.
 */
export interface ProcessorCoordinationOptions {
  deps: CoordinatorStepDependencies;
  settings: CoordinatorStepSettings;
  /** Accumulates what this container's steps did (tests, the local runtime). */
  stats?: StepStatistics;
}

/** How long after a checkpoint's trigger its leader steps at the earliest (two Lambda poll rounds). */
export const LEADER_GRACE_MS = 2_000;

/**
 * "The processors drive": after a batch, a processor runs one coordinator step
 * (core/checkpoint/coordinator-step.ts) when
 * (a) the batch wrote an ack: the last shard to ack completes the checkpoint; or
 * (b) its shard leads (the first expected shard of the newest checkpoint it saw)
 *     and the next trigger it expects is due.
 * What it knows is a per-container hint, refreshed by every barrier it acks and
 * every step it runs: a stale hint costs a step that decides nothing, never a
 * wrong decision (the step decides on the stored records, writes conditionally).
 * A failing step is logged and never fails the batch: the supervisor covers.
 */
export class ProcessorCoordination {
  private leaderShardId: string | undefined;
  private nextDueMs = Number.POSITIVE_INFINITY;
  /**
   * A shard whose step saw a checkpoint with all acks in but left it to the last
   * acker: its next batch steps again, unrestricted, in case the last acker
   * listed the acks before the set was full (then nothing is downloaded twice:
   * a completed checkpoint is seen as such).
   */
  private followUpShardIds = new Set<string>();
  /** The pending checkpoint this container acked last (from the record read at the ack). */
  private ackedCheckpoint: CheckpointRecord | undefined;
  /**
   * When this container's last step said the coordinator is next due: the container
   * then steps after its next batch of any shard. Without it, a checkpoint completed
   * well before the next one is due waits for the leading shard's container, which
   * holds back a grace after the trigger (the last acker is often another container).
   */
  private stepDueMs = Number.POSITIVE_INFINITY;

  constructor(private readonly options: ProcessorCoordinationOptions) {}

  /** A checkpoint this container saw while acking a barrier: it names the leader and the schedule. */
  onCheckpointSeen(record: CheckpointRecord): void {
    if (record.status === 'PENDING') this.ackedCheckpoint = record;
    // A checkpoint triggered after this container's step: that step's due time is spent.
    if (record.kind === 'CHECKPOINT' && record.triggerTimeMs >= this.stepDueMs)
      this.stepDueMs = Number.POSITIVE_INFINITY;
    if (record.kind !== 'CHECKPOINT' || record.expectedShards.length === 0) return;
    this.leaderShardId = record.expectedShards[0];
    const { config } = this.options.settings;
    // With one checkpoint at a time, a newer barrier means the older one is settled: no follow-up.
    if (effectiveMaxConcurrentCheckpoints(config) === 1) this.followUpShardIds.clear();
    const intervalMs = effectiveIntervalMs(config);
    // The last acker triggers the next checkpoint in its completing write when it is due;
    // the leader steps only if that has not happened a grace later (an interval shorter
    // than the ack round trip would otherwise have both step for the same trigger).
    if (intervalMs !== undefined)
      this.nextDueMs = record.triggerTimeMs + Math.max(intervalMs, LEADER_GRACE_MS);
  }

  /** Whether this batch calls for a step. */
  shouldStep(shardId: string, outcome: BatchOutcome): boolean {
    if (this.options.settings.config.intervalMs === undefined) return false;
    if (outcome.acksWritten > 0 || this.followUpShardIds.has(shardId)) return true;
    return this.leads(shardId);
  }

  private leads(shardId: string): boolean {
    const nowMs = this.options.deps.clock.nowMs();
    return nowMs >= this.stepDueMs || (shardId === this.leaderShardId && nowMs >= this.nextDueMs);
  }

  async afterBatch(shardId: string, outcome: BatchOutcome): Promise<void> {
    if (!this.shouldStep(shardId, outcome)) return;
    const { deps, settings } = this.options;
    const unrestricted = this.leads(shardId) || this.followUpShardIds.delete(shardId);
    try {
      let options: CoordinatorStepOptions = {};
      if (!unrestricted) {
        // Stepping only because it acked: one read of the acks says whether this
        // shard's ack was the last; only the last acker runs the step.
        const turn = await this.lastAckerTurn(shardId);
        if (turn === 'NOT_YET') return;
        if (turn === 'ANOTHER_SHARD') {
          this.followUpShardIds.add(shardId);
          return;
        }
        options = turn === 'UNKNOWN' ? { asAckerOf: shardId } : { knownAcks: turn };
      }
      const step = await runCoordinatorStep(deps, settings, options, this.options.stats);
      if (step.outcome === 'RUNNING' && step.leftToLastAcker) this.followUpShardIds.add(shardId);
      if (step.outcome !== 'RUNNING') {
        this.nextDueMs = Number.POSITIVE_INFINITY;
        this.stepDueMs = Number.POSITIVE_INFINITY;
        return;
      }
      this.stepDueMs = step.nextWakeMs > deps.clock.nowMs() ? step.nextWakeMs : Number.POSITIVE_INFINITY;
      if (step.expectedShards?.[0] !== undefined) this.leaderShardId = step.expectedShards[0];
      this.nextDueMs = step.nextWakeMs;
    } catch (error) {
      deps.log?.('coordinator-step-failed', { shardId, error: String(error) });
      // Try again an interval later; the supervisor covers meanwhile.
      this.nextDueMs = deps.clock.nowMs() + (effectiveIntervalMs(settings.config) ?? 0);
      this.stepDueMs = Number.POSITIVE_INFINITY;
    }
  }

  /**
   * Whether this shard's ack completed the set of the periodic checkpoint it acked:
   * the acks (to hand to the step, which then does not read them again), not yet,
   * another shard's turn (its ack is the last), or unknown (a savepoint: the step decides).
   */
  private async lastAckerTurn(
    shardId: string,
  ): Promise<ReadonlyMap<number, ShardAck[]> | 'NOT_YET' | 'ANOTHER_SHARD' | 'UNKNOWN'> {
    const record = this.ackedCheckpoint;
    if (record?.kind !== 'CHECKPOINT') return 'UNKNOWN';
    const { deps, settings } = this.options;
    const acks = await deps.store.listAcks(settings.jobId, record.checkpointId, 'CHECKPOINT');
    const current = acks.filter((a) => a.generation === record.generation);
    if (missingShards(record, current).length > 0) return 'NOT_YET';
    const expected = new Set(record.expectedShards);
    if (lastAck(current.filter((a) => expected.has(a.shardId)))?.shardId !== shardId) return 'ANOTHER_SHARD';
    return new Map([[record.checkpointId, acks]]);
  }
}
