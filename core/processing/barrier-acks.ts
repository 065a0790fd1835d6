import { randomUUID } from 'node:crypto';
import { ConditionFailedError } from '../errors/index.js';
import type { AckedSnapshot, CheckpointRecord, ShardAck } from '../ports/checkpoint-store.js';
import { encodeSnapshot, type SnapshotOutputBuffer, sha256Hex } from '../snapshot/index.js';
import type { OutboxEntry } from '../state/snapshot-content.js';
import type { CheckpointBarrier } from './barrier.js';
import { NO_FAULTS } from './crash-points.js';
import type { ProcessorDependencies, ShardRuntime } from './types.js';

/** A barrier seen in this batch: the state captured just before it, not yet acknowledged. */
export interface PendingAck {
  barrier: CheckpointBarrier;
  sequenceNumber: string;
  /** Live in `output` until released to it (acknowledgeBarrier does, once nothing reads them). */
  bytes: Uint8Array;
  output: SnapshotOutputBuffer;
}

/**
 * Synchronous capture at the barrier's exact position: the encoded bytes are a
 * consistent cut, so processing continues while they are uploaded later.
 */
export function captureAtBarrier(
  deps: ProcessorDependencies,
  shardId: string,
  runtime: ShardRuntime,
  /** The shard's snapshot memory, reused from one checkpoint to the next (LiveShard.snapshotOutput). */
  output: SnapshotOutputBuffer,
  barrier: CheckpointBarrier,
  sequenceNumber: string,
  outbox?: OutboxEntry[],
): PendingAck {
  const { settings, clock } = deps;
  const bytes = encodeSnapshot(
    {
      jobId: settings.jobId,
      shardId,
      checkpointId: barrier.checkpointId,
      sequenceNumber,
      operatorName: settings.operatorName,
      createdAtMs: clock.nowMs(),
    },
    outbox ? { ...runtime.snapshotView(), outbox } : runtime.snapshotView(),
    { compression: settings.compression, output },
  );
  return { barrier, sequenceNumber, bytes, output };
}

/**
 * Uploads the snapshot (or inlines it below the memory threshold) and writes the
 * shard's ack, once per (checkpoint, shard), only while the checkpoint is PENDING
 * in this shard's generation. Returns whether an ack was written. Late or
 * duplicate acks are dropped; an upload left behind by a crash is an orphan the
 * coordinator's cleanup deletes, never visible as a checkpoint.
 *
 * The bytes go back to the runtime's output memory once uploaded or not needed; not
 * when inlined (the ack keeps them) nor when this throws (an aborted upload may still
 * be reading them): such memory is never reused.
 */
export async function acknowledgeBarrier(
  deps: ProcessorDependencies,
  shardId: string,
  generation: number,
  pending: PendingAck,
  /** Told of the checkpoint record read (the processor learns the leader and the schedule from it). */
  onCheckpointSeen?: (record: CheckpointRecord) => void,
): Promise<boolean> {
  const { settings, store, snapshots, clock } = deps;
  const faults = deps.faults ?? NO_FAULTS;
  const checkpointId = pending.barrier.checkpointId;
  const checkpoint = await store.getCheckpoint(settings.jobId, checkpointId);
  if (checkpoint) onCheckpointSeen?.(checkpoint);
  const skip = (why: string) => {
    deps.log?.('ack-skipped', { shardId, checkpointId, why });
    return false;
  };
  const skipUnsent = (why: string) => {
    pending.output.release(pending.bytes);
    return skip(why);
  };
  if (!checkpoint) return skipUnsent('unknown checkpoint');
  if (checkpoint.status !== 'PENDING') return skipUnsent(`checkpoint is ${checkpoint.status}`);
  if (checkpoint.generation !== generation)
    return skipUnsent(`generation ${checkpoint.generation} != ${generation}`);
  if (!checkpoint.expectedShards.includes(shardId)) return skipUnsent('shard not expected');
  if (await store.getAck(settings.jobId, checkpointId, shardId, checkpoint.kind))
    return skipUnsent('already acknowledged');

  const sha256 = sha256Hex(pending.bytes);
  const sizeBytes = pending.bytes.length;
  let snapshot: AckedSnapshot;
  if (sizeBytes < settings.memoryThresholdBytes) {
    snapshot = { inline: pending.bytes, sha256, sizeBytes };
  } else {
    await faults.at('mid-upload', { shardId, checkpointId });
    const key = `${checkpoint.storagePrefix}/${shardId}-${randomUUID()}.snap`;
    const ref = await snapshots.put(key, pending.bytes, { sha256 });
    // A store keeps no reference to the bytes once put resolves (SnapshotStore.put).
    pending.output.release(pending.bytes);
    await faults.at('after-upload-before-ack', { shardId, checkpointId });
    snapshot = { ref };
  }
  const ack: ShardAck = {
    checkpointId,
    ...(checkpoint.kind === 'SAVEPOINT' ? { kind: 'SAVEPOINT' as const } : {}),
    shardId,
    generation,
    sequenceNumber: pending.sequenceNumber,
    snapshot,
    ackTimeMs: clock.nowMs(),
  };
  try {
    await store.putAck(settings.jobId, ack);
  } catch (error) {
    if (error instanceof ConditionFailedError) return skip('acknowledged concurrently');
    throw error;
  }
  // The coordinator may have aborted the checkpoint while we uploaded: take the
  // late ack back so nothing is left under an aborted checkpoint.
  const after = await store.getCheckpoint(settings.jobId, checkpointId);
  if (after?.status !== 'PENDING' && after?.status !== 'COMPLETED') {
    await store.deleteAcks(settings.jobId, checkpointId, checkpoint.kind);
    if ('ref' in snapshot) await snapshots.delete([snapshot.ref.key]);
    return skip(`checkpoint became ${after?.status ?? 'unknown'} during the upload`);
  }
  await faults.at('after-ack', { shardId, checkpointId });
  return true;
}
