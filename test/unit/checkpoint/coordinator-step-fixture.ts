import type { CoordinatorStepSettings } from '../../../core/checkpoint/coordinator-step.js';
import { type CompileConfigInput, compileConfig } from '../../../core/config/index.js';
import { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import { MemorySnapshotStore } from '../../../core/memory/memory-snapshot-store.js';
import { MemoryStream } from '../../../core/memory/memory-stream.js';
import type { CheckpointStore, ShardAck } from '../../../core/ports/checkpoint-store.js';
import { sha256Hex } from '../../../core/snapshot/index.js';
import { FakeClock } from '../../../local/pipeline/fake-clock.js';

export const STEP_JOB = 'steps';

/** Coordinator steps on memory ports: a store, a stream with `shards` shards, snapshots, a fake clock. */
export function stepFixture(options: Omit<CompileConfigInput, 'jobId' | 'checkpointsDir'>, shards = 2) {
  const clock = new FakeClock();
  const store = new MemoryCheckpointStore();
  const stream = new MemoryStream({ clock });
  const shardIds = stream.createShards(shards).map((s) => s.shardId);
  const snapshots = new MemorySnapshotStore({ clock });
  const config = compileConfig({ jobId: STEP_JOB, checkpointsDir: 's3://bucket/checkpoints', ...options });
  const settings: CoordinatorStepSettings = {
    jobId: STEP_JOB,
    config,
    storagePrefixFor: (id) => `checkpoints/${STEP_JOB}/chk-${id}`,
    abortedHistorySize: 10,
  };
  const deps = { store: store as CheckpointStore, snapshots, writer: stream, clock };
  return { clock, store, stream, shardIds, snapshots, config, settings, deps };
}

/** A valid inline ack (its SHA-256 matches), as a processor would write it. */
export function inlineAck(checkpointId: number, shardId: string, nowMs: number): ShardAck {
  const bytes = new Uint8Array([checkpointId % 256, shardId.length, 7]);
  return {
    checkpointId,
    shardId,
    generation: 1,
    sequenceNumber: '1',
    snapshot: { inline: bytes, sha256: sha256Hex(bytes), sizeBytes: bytes.length },
    ackTimeMs: nowMs,
  };
}
