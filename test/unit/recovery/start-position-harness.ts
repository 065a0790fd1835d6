import { expect } from 'vitest';
import { tryCompleteCheckpoint } from '../../../core/checkpoint/checkpoint-completion.js';
import { triggerCheckpoint } from '../../../core/checkpoint/checkpoint-trigger.js';
import { checkpointPrefix, savepointPrefix } from '../../../core/checkpoint/storage-location.js';
import type { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import type { MemorySnapshotStore } from '../../../core/memory/memory-snapshot-store.js';
import type { SnapshotStore } from '../../../core/ports/snapshot-store.js';
import { clickCounter } from '../../../core/state/examples/click-counter.js';
import { EventSourceMappingSimulator } from '../../../local/esm/event-source-mapping.js';
import { clickWorkload } from '../../../local/pipeline/click-workload.js';
import { FakeClock } from '../../../local/pipeline/fake-clock.js';
import { canonicalState, checkpointState } from '../../../local/pipeline/final-state.js';
import { memoryParts } from '../../../local/pipeline/parts.js';
import { processorContainer } from '../../../local/pipeline/processor-container.js';
import { seededRandom } from '../../../local/pipeline/random.js';

export const JOB = 'job-start-position';

/** A click-counting job on 3 in-memory shards; `snapshots` lets two deployments share one bucket. */
export function startPositionSetup(
  snapshots?: SnapshotStore,
  clock = new FakeClock(1_700_000_000_000),
  shardCount = 3,
  jobId = JOB,
) {
  const memory = memoryParts(shardCount, clock);
  const parts = snapshots ? { ...memory, snapshots } : memory;
  const esm = new EventSourceMappingSimulator({
    source: parts.source,
    createContainer: processorContainer({
      parts,
      operator: clickCounter,
      settings: { jobId, mode: 'EXACTLY_ONCE', memoryThresholdBytes: 0, compression: 'none' },
    }),
    batchSize: 50,
    random: seededRandom(3),
  });
  const random = seededRandom(9);
  const produce = async (n: number) => {
    await parts.produce(clickWorkload(n, 40, random).records);
    await esm.drain();
  };
  const complete = async (kind: 'CHECKPOINT' | 'SAVEPOINT') => {
    const record = await triggerCheckpoint(parts, {
      jobId,
      kind,
      storagePrefixFor: (id) =>
        (kind === 'SAVEPOINT'
          ? savepointPrefix('savepoints', jobId, id)
          : checkpointPrefix('checkpoints', jobId, id)
        ).replace(/\/$/, ''),
    });
    await esm.drain();
    clock.advance(1_000);
    expect((await tryCompleteCheckpoint(parts, jobId, record.checkpointId)).status).toBe('COMPLETED');
    return record.checkpointId;
  };
  const deps = { store: parts.store, snapshots: parts.snapshots, writer: parts.writer, clock };
  const durable = () => ({
    items: JSON.stringify((parts.store as MemoryCheckpointStore).dump()),
    objects: (parts.snapshots as MemorySnapshotStore).keys(),
  });
  /** Final state (a checkpoint after the input) against `expected(shardId)`. */
  const assertFinal = async (expected: (shardId: string) => Promise<string>) => {
    const final = await complete('CHECKPOINT');
    const states = await checkpointState(parts, jobId, final);
    expect(states.size).toBe(shardCount);
    for (const [shardId, content] of states) expect(canonicalState(content)).toBe(await expected(shardId));
  };
  return { clock, parts, esm, produce, complete, deps, durable, assertFinal };
}
