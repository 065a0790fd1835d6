import { describe, expect, it } from 'vitest';
import { tryCompleteCheckpoint } from '../../core/checkpoint/checkpoint-completion.js';
import { StorageUnavailableError } from '../../core/errors/index.js';
import { MemoryCheckpointStore } from '../../core/memory/memory-checkpoint-store.js';
import { MemorySnapshotStore } from '../../core/memory/memory-snapshot-store.js';
import { systemClock } from '../../core/ports/clock.js';
import { sha256Hex } from '../../core/snapshot/index.js';
import { runFaultRun } from '../../local/faults/fault-run.js';

/**
 * Bugs the campaign found, pinned by the seed and schedule that found them.
 * Fixed: a completion interrupted between its COMPLETED write and the pointer
 * move is now finished by the retry (tryCompleteCheckpoint) and by every
 * coordinator window (repairLatestPointer).
 */
describe('campaign regressions', () => {
  // Found by `npm run faults -- --class coordinator-ambiguous-write --seed 12 --runs 11` (seeds 16, 17, 21).
  it('coordinator-ambiguous-write seed 17: the latest pointer names the newest completed checkpoint', async () => {
    // Act
    const result = await runFaultRun('coordinator-ambiguous-write', 17, { kind: 'memory' });

    // Assess
    expect(result.details).toEqual([]);
    expect(result.mismatches).toBe(0);
  });

  // The same bug without any ambiguity: a plain 5xx on advanceLatestCheckpoint, after the COMPLETED transition succeeded.
  it('dynamodb-5xx seed 179: the latest pointer names the newest completed checkpoint', async () => {
    // Act
    const result = await runFaultRun('dynamodb-5xx', 179, { kind: 'memory' });

    // Assess
    expect(result.details).toEqual([]);
    expect(result.mismatches).toBe(0);
  });

  it('a completion retried after its COMPLETED transition was applied but answered with a 5xx still advances the latest pointer', async () => {
    // Prepare: one shard acked with an inline snapshot; the COMPLETED transition's response is lost once.
    let loseResponse = true;
    const store = new MemoryCheckpointStore({
      faults: {
        after(op, args) {
          const next = args[3] as { status?: string } | undefined;
          if (op === 'transitionCheckpoint' && next?.status === 'COMPLETED' && loseResponse) {
            loseResponse = false;
            throw new StorageUnavailableError(
              'injected: the COMPLETED transition was applied, the response lost',
            );
          }
        },
      },
    });
    const deps = { store, snapshots: new MemorySnapshotStore(), clock: systemClock };
    await store.createJob({
      jobId: 'job-r1',
      generation: 1,
      status: 'RUNNING',
      lastCheckpointId: 1,
      version: 1,
      failures: [],
      updatedAtMs: 0,
    });
    await store.createCheckpoint('job-r1', {
      checkpointId: 1,
      kind: 'CHECKPOINT',
      status: 'PENDING',
      generation: 1,
      triggerTimeMs: 0,
      expectedShards: ['shard-a'],
      storagePrefix: 'checkpoints/job-r1/chk-1',
    });
    const inline = new Uint8Array([1, 2, 3]);
    await store.putAck('job-r1', {
      checkpointId: 1,
      shardId: 'shard-a',
      generation: 1,
      sequenceNumber: '10',
      snapshot: { inline, sha256: sha256Hex(inline), sizeBytes: inline.length },
      ackTimeMs: 0,
    });

    // Act: the coordinator task fails, Step Functions retries it.
    await expect(tryCompleteCheckpoint(deps, 'job-r1', 1)).rejects.toThrow(StorageUnavailableError);
    const retried = await tryCompleteCheckpoint(deps, 'job-r1', 1);

    // Assess
    expect(retried.status).toBe('NOT_PENDING');
    expect((await store.getCheckpoint('job-r1', 1))?.status).toBe('COMPLETED');
    expect((await store.getJob('job-r1'))?.latestCheckpointId).toBe(1);
  });
});
