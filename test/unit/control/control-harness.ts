import { expect } from 'vitest';
import { tryCompleteCheckpoint } from '../../../core/checkpoint/checkpoint-completion.js';
import { triggerCheckpoint } from '../../../core/checkpoint/checkpoint-trigger.js';
import { checkpointPrefix } from '../../../core/checkpoint/storage-location.js';
import { type CompileConfigInput, compileConfig } from '../../../core/config/index.js';
import type { ControlDependencies, ControlSettings } from '../../../core/control/index.js';
import type { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import type { MemorySnapshotStore } from '../../../core/memory/memory-snapshot-store.js';
import { clickCounter } from '../../../core/state/examples/click-counter.js';
import type { ControlWiring } from '../../../functions/shared/control-handler.js';
import { EventSourceMappingSimulator } from '../../../local/esm/event-source-mapping.js';
import { clickWorkload } from '../../../local/pipeline/click-workload.js';
import { FakeClock } from '../../../local/pipeline/fake-clock.js';
import { memoryParts } from '../../../local/pipeline/parts.js';
import { processorContainer } from '../../../local/pipeline/processor-container.js';
import { seededRandom } from '../../../local/pipeline/random.js';

export const JOB = 'job-control';
export const CHECKPOINTS_PREFIX = 'checkpoints';
export const SAVEPOINTS_PREFIX = 'savepoints';

/**
 * A click-counting job on 3 in-memory shards driven by the event-source-mapping
 * simulator, with the control actions' dependencies. The injected `sleep` lets
 * the processors run (drain) and moves the fake clock, unless `stalled`.
 */
export function controlHarness(options: Partial<CompileConfigInput> = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const parts = memoryParts(3, clock);
  const esm = new EventSourceMappingSimulator({
    source: parts.source,
    createContainer: processorContainer({
      parts,
      operator: clickCounter,
      settings: { jobId: JOB, mode: 'EXACTLY_ONCE', memoryThresholdBytes: 0, compression: 'none' },
    }),
    batchSize: 50,
  });
  const random = seededRandom(11);
  const state = { stalled: false, sleeps: 0 };
  const sleep = async (ms: number) => {
    state.sleeps++;
    if (!state.stalled) await esm.drain();
    clock.advance(ms);
  };
  const config = compileConfig({
    jobId: JOB,
    checkpointsDir: `s3://bucket/${CHECKPOINTS_PREFIX}`,
    savepointsDir: `s3://bucket/${SAVEPOINTS_PREFIX}`,
    ...options,
  });
  const settings: ControlSettings = {
    jobId: JOB,
    checkpointsPrefix: CHECKPOINTS_PREFIX,
    savepointsPrefix: SAVEPOINTS_PREFIX,
    externalizedCheckpointCleanup: config.externalizedCheckpointCleanup,
    preferCheckpointForRecovery: config.preferCheckpointForRecovery,
    restartStrategy: config.restartStrategy,
  };
  const deps: ControlDependencies = {
    store: parts.store,
    snapshots: parts.snapshots,
    writer: parts.writer,
    clock,
    sleep,
  };
  const wiring: ControlWiring = {
    config,
    store: parts.store,
    snapshots: parts.snapshots,
    writer: parts.writer,
    clock,
    checkpointsPrefix: CHECKPOINTS_PREFIX,
    savepointsPrefix: SAVEPOINTS_PREFIX,
  };
  const produceAndProcess = async (records: number) => {
    await parts.produce(clickWorkload(records, 40, random).records);
    await esm.drain();
  };
  /** A completed checkpoint, the way the coordinator makes one. */
  const checkpoint = async () => {
    const record = await triggerCheckpoint(parts, {
      jobId: JOB,
      kind: 'CHECKPOINT',
      storagePrefixFor: (id) => checkpointPrefix(CHECKPOINTS_PREFIX, JOB, id).replace(/\/$/, ''),
    });
    await esm.drain();
    clock.advance(1_000);
    expect((await tryCompleteCheckpoint(parts, JOB, record.checkpointId)).status).toBe('COMPLETED');
    return record.checkpointId;
  };
  /** A checkpoint left PENDING (its barriers are never processed). */
  const pendingCheckpoint = async () =>
    (
      await triggerCheckpoint(parts, {
        jobId: JOB,
        kind: 'CHECKPOINT',
        storagePrefixFor: (id) => checkpointPrefix(CHECKPOINTS_PREFIX, JOB, id).replace(/\/$/, ''),
      })
    ).checkpointId;
  const snapshots = parts.snapshots as MemorySnapshotStore;
  /** Every DynamoDB item and S3 key, to assert that a refused request changed nothing. */
  const durable = () => ({
    items: JSON.stringify((parts.store as MemoryCheckpointStore).dump()),
    objects: snapshots.keys(),
  });
  return {
    clock,
    parts,
    esm,
    state,
    config,
    settings,
    deps,
    wiring,
    snapshots,
    produceAndProcess,
    checkpoint,
    pendingCheckpoint,
    durable,
  };
}

export type ControlHarness = ReturnType<typeof controlHarness>;
