import { ConditionFailedError } from '../errors/index.js';
import type { CheckpointRecord } from '../ports/checkpoint-store.js';
import type { ReplayStart, StreamRecord } from '../ports/stream.js';
import { parseBarrier } from './barrier.js';
import { acknowledgeBarrier, captureAtBarrier, type PendingAck } from './barrier-acks.js';
import { type FaultInjector, NO_FAULTS } from './crash-points.js';
import { CursorFencedError, ReplayDeadlineError } from './errors.js';
import { ProcessorCoordination } from './processor-coordination.js';
import { isAfter, readThrough } from './sequence.js';
import { type LiveShard, recoverShard } from './shard-recovery.js';
import type { BatchOutcome, ProcessorDependencies, ShardRuntime } from './types.js';

export interface BatchOptions {
  /**
   * Report the first failing record instead of failing the whole batch
   * (Lambda's ReportBatchItemFailures): records before it are committed.
   */
  reportBatchItemFailures?: boolean;
  /** Time left in the invocation; a cold-start replay stops with a clear error before it runs out. */
  timeLeftMs?: () => number;
}

/** Kept free at the end of an invocation: commit, acks and the response still have to happen. */
export const REPLAY_DEADLINE_BUFFER_MS = 10_000;

/**
 * After its warm state for a shard was found stale at a commit, a container reads
 * the shard's cursor before each of its next this many warm batches (see begin).
 */
export const CURSOR_CHECK_BATCHES = 1_000;

/** Per-invocation working state. */
interface BatchRun {
  shardId: string;
  live: LiveShard;
  pending: PendingAck[];
  outcome: BatchOutcome;
  /** The cursor's committed position; the state must reach it before returning. */
  committed: string | undefined;
}

/**
 * The per-batch exactly-once protocol for one container (DESIGN.md section 3).
 * Holds each shard's live state between invocations; any failure discards it,
 * so the retry rebuilds from durable data (snapshot + replay).
 *
 * Order of effects, chosen so that every prefix is a safe state without
 * transactions: apply in memory -> commit the cursor (conditional on the version
 * this state was derived from: the freshness proof) -> upload snapshots and write
 * acks -> return. Nothing durable is produced from state that was not proven current.
 */
export class CheckpointedProcessor {
  private readonly shards = new Map<string, LiveShard>();
  private readonly faults: FaultInjector;
  private readonly coordination: ProcessorCoordination | undefined;
  private batches = 0;
  /** Warm batches up to this count read the cursor first (catch-up possible); later ones commit optimistically. */
  private checkCursorThroughBatch = 0;

  constructor(private readonly deps: ProcessorDependencies) {
    this.faults = deps.faults ?? NO_FAULTS;
    this.coordination = deps.coordination ? new ProcessorCoordination(deps.coordination) : undefined;
  }

  /** The live state of a shard in this container, for inspection and verification. */
  liveRuntime(shardId: string): ShardRuntime | undefined {
    return this.shards.get(shardId)?.runtime;
  }

  livePosition(shardId: string): string | undefined {
    return this.shards.get(shardId)?.position;
  }

  /** Forget a shard's state (a restore, or a test simulating a cold container). */
  discard(shardId?: string): void {
    if (shardId === undefined) this.shards.clear();
    else this.shards.delete(shardId);
  }

  async processBatch(
    shardId: string,
    records: StreamRecord[],
    options: BatchOptions = {},
  ): Promise<BatchOutcome> {
    if (records.length === 0) return emptyOutcome(shardId);
    this.batches++;
    let outcome: BatchOutcome;
    try {
      await this.faults.at('before-apply', { shardId });
      try {
        outcome = await this.attempt(shardId, records, options);
      } catch (error) {
        // Warm state that lost the commit race is merely stale (another container
        // processed this shard since): nothing durable came from it, so rebuild from
        // durable data within this invocation instead of failing it.
        if (!(error instanceof StaleWarmStateError)) throw error;
        this.deps.log?.('stale-warm-state', { shardId });
        // Shards move between containers here: check the cursor before warm batches for a while.
        this.checkCursorThroughBatch = this.batches + CURSOR_CHECK_BATCHES;
        outcome = await this.attempt(shardId, records, options);
      }
    } catch (error) {
      this.shards.delete(shardId);
      throw error instanceof StaleWarmStateError ? error.fenced : error;
    }
    // After the commit and the acks: the batch's own work is durable whatever the step does.
    await this.coordination?.afterBatch(shardId, outcome);
    return outcome;
  }

  private async attempt(
    shardId: string,
    records: StreamRecord[],
    options: BatchOptions,
  ): Promise<BatchOutcome> {
    const outcome = emptyOutcome(shardId);
    const run = await this.begin(shardId, records[0]!.sequenceNumber, outcome, options);
    const failedAt = await this.applyBatch(run, records, options);
    if (failedAt === undefined) await this.catchUp(run);
    const nowMs = this.deps.clock.nowMs();
    run.live.outputs.beginOrigin(`processing-time-${nowMs}`);
    run.live.runtime.advanceProcessingTime(nowMs);
    if (failedAt !== undefined) run.live.outputs.dropOrigin(failedAt);
    await this.faults.at('after-apply-before-commit', { shardId });
    await this.commit(run);
    await this.faults.at('after-commit-before-ack', { shardId });
    for (const pending of run.pending) {
      const seen =
        this.coordination && ((record: CheckpointRecord) => this.coordination?.onCheckpointSeen(record));
      if (await acknowledgeBarrier(this.deps, shardId, run.live.generation, pending, seen))
        outcome.acksWritten++;
    }
    outcome.outputsWritten = await this.publishOutputs(run.live);
    if (failedAt !== undefined) {
      // The failing record may have half-mutated state: drop it, the retry starts cold.
      outcome.failedSequenceNumber = failedAt;
      this.shards.delete(shardId);
    } else {
      this.shards.set(shardId, run.live);
    }
    await this.faults.at('after-commit-before-return', { shardId });
    return outcome;
  }

  /**
   * Warm path if this container holds the shard's state, else the cold path
   * (restore + replay). Where shards stay on their containers, the warm state is
   * used as it is: the commit, conditional on its version, proves it current, and a
   * stale one is rebuilt cold within the invocation. Once that happened, shards
   * evidently move between containers, so for the next CURSOR_CHECK_BATCHES
   * batches the container reads the cursor first and catches a stale state up
   * (resumeWarm): one read per batch instead of a snapshot restore per move.
   */
  private async begin(
    shardId: string,
    firstSequenceNumber: string,
    outcome: BatchOutcome,
    options: BatchOptions,
  ): Promise<BatchRun> {
    const warm = this.shards.get(shardId);
    // Taken out while in use: a failure anywhere leaves the container with no state for the shard.
    this.shards.delete(shardId);
    const resumed =
      warm &&
      (this.batches <= this.checkCursorThroughBatch
        ? await this.resumeWarm(shardId, warm, outcome)
        : { run: warmRun(shardId, warm, outcome) });
    if (resumed) {
      if (resumed.replayFrom)
        await this.replayTo(resumed.run, resumed.replayFrom, firstSequenceNumber, options);
      return resumed.run;
    }

    outcome.coldStart = true;
    const recovered = await recoverShard(this.deps, shardId, firstSequenceNumber);
    const run: BatchRun = {
      shardId,
      live: recovered.live,
      pending: [],
      outcome,
      committed: recovered.committedSequenceNumber,
    };
    if (recovered.replayFrom) await this.replayTo(run, recovered.replayFrom, firstSequenceNumber, options);
    return run;
  }

  /**
   * The warm state, checked against the shard's cursor. Lambda does not keep a shard
   * on one container: another one may have processed the shard since this one did.
   * Every commit of a generation extends the one before it, and this state is the one
   * this container committed at an older version, so it is a prefix of the committed
   * state: replaying the records in between (usually a few batches) rebuilds the
   * latter without a snapshot. Undefined: the state is of another generation (a
   * restore), the job is not running, or the state cannot be placed on the cursor's
   * line: take the cold path, which fails or rebuilds as it does for a new container.
   */
  private async resumeWarm(
    shardId: string,
    warm: LiveShard,
    outcome: BatchOutcome,
  ): Promise<{ run: BatchRun; replayFrom?: ReplayStart } | undefined> {
    const cursor = await this.deps.store.getCursor(this.deps.settings.jobId, shardId);
    if (cursor === undefined || cursor.generation !== warm.generation) return undefined;
    const run = warmRun(shardId, warm, outcome);
    if (cursor.version === warm.cursorVersion) return { run };
    const committed = cursor.lastSequenceNumber;
    if (
      cursor.version < warm.cursorVersion ||
      committed === undefined ||
      warm.position === undefined ||
      isAfter(warm.position, committed)
    ) {
      return undefined;
    }
    // As strict as the cold path: a restore may have bumped the job's generation before
    // rewriting this cursor; then this line is being replaced, not extended.
    const job = await this.deps.store.getJob(this.deps.settings.jobId);
    if (job?.status !== 'RUNNING' || job.generation !== warm.generation) return undefined;
    this.deps.log?.('warm-catch-up', { shardId, from: warm.position, to: committed });
    warm.cursorVersion = cursor.version;
    run.committed = committed;
    return { run, replayFrom: { afterSequenceNumber: warm.position } };
  }

  /** Replays the shard from `from` up to (not including) the batch's first record. */
  private async replayTo(
    run: BatchRun,
    from: ReplayStart,
    firstSequenceNumber: string,
    options: BatchOptions,
  ): Promise<void> {
    if (!needsReplay(from, firstSequenceNumber)) return;
    const { outcome } = run;
    run.live.outputs.replaying = true;
    for await (const page of this.deps.reader.readRange(run.shardId, from, firstSequenceNumber)) {
      if (options.timeLeftMs && options.timeLeftMs() < REPLAY_DEADLINE_BUFFER_MS) {
        throw new ReplayDeadlineError(run.shardId, outcome.replayed);
      }
      for (const record of page) {
        if (!isAfter(record.sequenceNumber, run.live.position)) continue;
        this.applyRecord(run, record);
        outcome.replayed++;
      }
    }
    run.live.outputs.replaying = false;
  }

  /** Returns the sequence number of the first failed record when partial failures are reported. */
  private async applyBatch(run: BatchRun, records: StreamRecord[], options: BatchOptions) {
    const half = Math.floor(records.length / 2);
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (i === half) await this.faults.at('mid-batch', { shardId: run.shardId, appliedInBatch: i });
      if (!isAfter(record.sequenceNumber, run.live.position)) {
        run.outcome.skipped++;
        continue;
      }
      try {
        if (this.applyRecord(run, record)) run.outcome.applied++;
      } catch (error) {
        if (!options.reportBatchItemFailures) throw error;
        this.deps.log?.('record-failed', {
          shardId: run.shardId,
          sequenceNumber: record.sequenceNumber,
          error,
        });
        run.outcome.failure = error;
        return record.sequenceNumber;
      }
    }
    return undefined;
  }

  /**
   * After a cold start on a batch older than the committed cursor (a retried or
   * bisected batch), replay up to the committed position: the state must never
   * lag behind what the cursor says is applied.
   */
  private async catchUp(run: BatchRun): Promise<void> {
    const committed = run.committed;
    const position = run.live.position;
    if (committed === undefined || position === undefined || !isAfter(committed, position)) return;
    for await (const page of readThrough(this.deps.reader, run.shardId, position, committed)) {
      for (const record of page) {
        if (!isAfter(record.sequenceNumber, run.live.position)) continue;
        if (isAfter(record.sequenceNumber, committed)) break;
        this.applyRecord(run, record);
        run.outcome.replayed++;
      }
    }
  }

  /** Applies one record; returns whether it was data (rather than a barrier). */
  private applyRecord(run: BatchRun, record: StreamRecord): boolean {
    let barrier: ReturnType<typeof parseBarrier>;
    try {
      barrier = parseBarrier(record.data);
    } catch (error) {
      // A malformed barrier is not user data and must not block the shard.
      this.deps.log?.('barrier-malformed', {
        shardId: run.shardId,
        sequenceNumber: record.sequenceNumber,
        error,
      });
      run.live.position = record.sequenceNumber;
      return false;
    }
    if (barrier === undefined) {
      run.live.outputs.beginOrigin(record.sequenceNumber);
      run.live.runtime.processRecord(record);
    } else if (barrier.jobId !== this.deps.settings.jobId) {
      run.outcome.foreignBarriers++;
    } else {
      run.outcome.barriers++;
      const outbox = run.live.outputs.assignTo(barrier.checkpointId);
      run.pending.push(
        captureAtBarrier(
          this.deps,
          run.shardId,
          run.live.runtime,
          run.live.snapshotOutput,
          barrier,
          record.sequenceNumber,
          outbox,
        ),
      );
    }
    run.live.position = record.sequenceNumber;
    return barrier === undefined;
  }

  /**
   * Runs after the commit proved this state current. EXACTLY_ONCE releases
   * outputs whose checkpoint completed (one META read while some are waiting).
   */
  private async publishOutputs(live: LiveShard): Promise<number> {
    if (live.outputs.pendingCount === 0) return 0;
    if (
      this.deps.settings.mode === 'EXACTLY_ONCE' &&
      live.outputs.waitingForCompletion(live.knownCompletedId)
    ) {
      live.knownCompletedId = (await this.deps.store.getJob(this.deps.settings.jobId))?.latestCheckpointId;
    }
    return live.outputs.publish(this.deps.sink, live.knownCompletedId);
  }

  private async commit(run: BatchRun): Promise<void> {
    const position = run.live.position;
    // The cursor never moves backwards; an unchanged position (a fully skipped
    // retry) needs no write: nothing durable comes out of this invocation's state.
    if (position === undefined || !isAfter(position, run.committed)) return;
    const { settings, store, clock } = this.deps;
    try {
      run.live.cursorVersion = await store.commitCursor(settings.jobId, run.shardId, run.live.cursorVersion, {
        lastSequenceNumber: position,
        owner: settings.containerId,
        updatedAtMs: clock.nowMs(),
      });
    } catch (error) {
      if (error instanceof ConditionFailedError) {
        const fenced = new CursorFencedError(
          run.shardId,
          `commit of cursor version ${run.live.cursorVersion} was refused`,
          error,
        );
        throw run.outcome.coldStart ? fenced : new StaleWarmStateError(fenced);
      }
      throw error;
    }
    run.committed = position;
    run.outcome.committedSequenceNumber = position;
  }
}

/** A batch on the container's own state, committed as far as that state reaches. */
function warmRun(shardId: string, live: LiveShard, outcome: BatchOutcome): BatchRun {
  return { shardId, live, pending: [], outcome, committed: live.position };
}

function needsReplay(from: ReplayStart, firstSequenceNumber: string): boolean {
  if ('afterSequenceNumber' in from) return isAfter(firstSequenceNumber, from.afterSequenceNumber);
  return isAfter(firstSequenceNumber, from.atSequenceNumber);
}

function emptyOutcome(shardId: string): BatchOutcome {
  return {
    shardId,
    applied: 0,
    skipped: 0,
    replayed: 0,
    barriers: 0,
    acksWritten: 0,
    foreignBarriers: 0,
    coldStart: false,
    outputsWritten: 0,
  };
}

/** Internal: the warm state's commit was refused; the caller retries cold once. */
class StaleWarmStateError extends Error {
  constructor(readonly fenced: CursorFencedError) {
    super(fenced.message);
  }
}
