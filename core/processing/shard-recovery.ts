import { ensureJob } from '../checkpoint/job.js';
import { CheckpointError, ConditionFailedError } from '../errors/index.js';
import type { ShardAck, ShardCursor } from '../ports/checkpoint-store.js';
import type { ReplayStart } from '../ports/stream.js';
import { decodeSnapshot, SnapshotOutputBuffer, sha256Hex } from '../snapshot/index.js';
import type { OutboxEntry } from '../state/snapshot-content.js';
import { CursorFencedError, GenerationFencedError, JobNotRunningError } from './errors.js';
import { ShardOutputs } from './shard-outputs.js';
import type { ProcessorDependencies, ShardRuntime } from './types.js';

/** A shard's state held by this container, and what it was derived from. */
export interface LiveShard {
  runtime: ShardRuntime;
  /** The cursor version this state corresponds to; the next commit is conditional on it. */
  cursorVersion: number;
  generation: number;
  /** Last sequence number whose effect is in `runtime` (barriers included). */
  position: string | undefined;
  outputs: ShardOutputs;
  /** The memory this shard's snapshots are encoded into, reused once an upload released it. */
  snapshotOutput: SnapshotOutputBuffer;
  /** Latest completed checkpoint this container knows of (to release outputs). */
  knownCompletedId: number | undefined;
}

export interface RecoveredShard {
  live: LiveShard;
  /** Where to replay from to reach the batch start, if anything is missing. */
  replayFrom: ReplayStart | undefined;
  /** The committed position: state must reach at least this far before the next commit. */
  committedSequenceNumber: string | undefined;
}

/**
 * Cold path: this container has no trustworthy state for the shard. Rebuild it
 * from durable data only: the shard's snapshot in the latest completed
 * checkpoint (verified), or an empty state at the shard's first record. The
 * caller replays from `replayFrom` up to the batch start.
 */
export async function recoverShard(
  deps: ProcessorDependencies,
  shardId: string,
  firstSequenceNumber: string,
): Promise<RecoveredShard> {
  const { store, settings, clock } = deps;
  const [cursor, job] = await Promise.all([
    store.getCursor(settings.jobId, shardId),
    ensureJob(store, settings.jobId, clock),
  ]);
  if (job.status !== 'RUNNING') throw new JobNotRunningError(settings.jobId, job.status, job.statusReason);
  const runtime = deps.createRuntime(shardId);

  if (!cursor) {
    // A shard's first batch ever: an empty state positioned just before it.
    const created: ShardCursor = {
      shardId,
      version: 1,
      generation: job.generation,
      initialSequenceNumber: firstSequenceNumber,
      owner: settings.containerId,
      updatedAtMs: clock.nowMs(),
    };
    try {
      await store.createCursor(settings.jobId, created);
    } catch (error) {
      if (error instanceof ConditionFailedError) {
        throw new CursorFencedError(shardId, 'the cursor was created concurrently', error);
      }
      throw error;
    }
    deps.log?.('cursor-created', { shardId, initialSequenceNumber: firstSequenceNumber });
    return {
      live: {
        runtime,
        cursorVersion: 1,
        generation: created.generation,
        position: undefined,
        outputs: withOutputs(runtime, shardId, settings.mode),
        snapshotOutput: new SnapshotOutputBuffer(),
        knownCompletedId: job.latestCheckpointId,
      },
      replayFrom: undefined,
      committedSequenceNumber: undefined,
    };
  }

  if (job.generation !== cursor.generation) {
    throw new GenerationFencedError(shardId, cursor.generation, job.generation);
  }
  const live: LiveShard = {
    runtime,
    cursorVersion: cursor.version,
    generation: cursor.generation,
    position: undefined,
    outputs: withOutputs(runtime, shardId, settings.mode),
    snapshotOutput: new SnapshotOutputBuffer(),
    knownCompletedId: job.latestCheckpointId,
  };
  const ack =
    job.latestCheckpointId === undefined
      ? undefined
      : await store.getAck(settings.jobId, job.latestCheckpointId, shardId);
  let replayFrom: ReplayStart = { atSequenceNumber: cursor.initialSequenceNumber };
  if (ack) {
    const decoded = decodeSnapshot(await readVerifiedSnapshot(deps, ack));
    runtime.restore(decoded.content);
    live.outputs = withOutputs(runtime, shardId, settings.mode, decoded.content.outbox);
    live.position = ack.sequenceNumber;
    replayFrom = { afterSequenceNumber: ack.sequenceNumber };
    deps.log?.('shard-restored', {
      shardId,
      checkpointId: ack.checkpointId,
      sequenceNumber: ack.sequenceNumber,
    });
  }
  return { live, replayFrom, committedSequenceNumber: cursor.lastSequenceNumber };
}

/** Never hand unverified bytes to the decoder (invariant 2). */
export async function readVerifiedSnapshot(deps: ProcessorDependencies, ack: ShardAck): Promise<Uint8Array> {
  const snapshot = ack.snapshot;
  if ('ref' in snapshot) return deps.snapshots.get(snapshot.ref);
  const found = sha256Hex(snapshot.inline);
  if (found !== snapshot.sha256 || snapshot.inline.length !== snapshot.sizeBytes) {
    throw new CheckpointError(
      'SNAPSHOT_CORRUPT',
      `inline snapshot of checkpoint ${ack.checkpointId} shard ${ack.shardId}: expected sha256 ${snapshot.sha256} ` +
        `(${snapshot.sizeBytes} bytes), found ${found} (${snapshot.inline.length} bytes); restore an older checkpoint`,
    );
  }
  return snapshot.inline;
}

function withOutputs(
  runtime: ShardRuntime,
  shardId: string,
  mode: ProcessorDependencies['settings']['mode'],
  outbox?: OutboxEntry[],
): ShardOutputs {
  const outputs = new ShardOutputs(shardId, mode, outbox);
  runtime.setOutputHandler(outputs.handler);
  return outputs;
}
