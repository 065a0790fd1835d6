import { describe, expect, it } from 'vitest';
import type { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import { CheckpointedProcessor } from '../../../core/processing/checkpointed-processor.js';
import { ReplayDeadlineError } from '../../../core/processing/errors.js';
import { clickCounter } from '../../../core/state/examples/click-counter.js';
import { OperatorRuntime } from '../../../core/state/index.js';
import { clickWorkload } from '../../../local/pipeline/click-workload.js';
import { memoryParts } from '../../../local/pipeline/parts.js';
import { seededRandom } from '../../../local/pipeline/random.js';

function container(parts: ReturnType<typeof memoryParts>, id: string) {
  return new CheckpointedProcessor({
    settings: {
      jobId: 'job-deadline',
      operatorName: clickCounter.name,
      mode: 'EXACTLY_ONCE',
      memoryThresholdBytes: 1024,
      compression: 'none',
      containerId: id,
    },
    store: parts.store,
    snapshots: parts.snapshots,
    reader: parts.reader,
    clock: parts.clock,
    createRuntime: (shardId) => new OperatorRuntime(clickCounter, { shardId }),
  });
}

describe('a cold-start replay that cannot finish before the invocation deadline', () => {
  it('stops with a clear ReplayDeadlineError before the deadline, and changes nothing', async () => {
    // Prepare: one container processed the first 100 records; a new one gets the next batch
    const parts = memoryParts(1);
    await parts.produce(clickWorkload(200, 10, seededRandom(2)).records);
    const [shardId] = await parts.source.listShardIds();
    const records = await parts.source.read(shardId!, undefined, 200);
    await container(parts, 'a').processBatch(shardId!, records.slice(0, 100));
    const before = JSON.stringify((parts.store as MemoryCheckpointStore).dump());

    // Act
    const error = await container(parts, 'b')
      .processBatch(shardId!, records.slice(100), { timeLeftMs: () => 5_000 })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ReplayDeadlineError);
    expect((error as Error).message).toMatch(/Raise the processor timeout, or checkpoint more often/);
    expect(JSON.stringify((parts.store as MemoryCheckpointStore).dump())).toBe(before);
  });

  it('replays normally when there is time', async () => {
    const parts = memoryParts(1);
    await parts.produce(clickWorkload(200, 10, seededRandom(2)).records);
    const [shardId] = await parts.source.listShardIds();
    const records = await parts.source.read(shardId!, undefined, 200);
    await container(parts, 'a').processBatch(shardId!, records.slice(0, 100));
    const outcome = await container(parts, 'b').processBatch(shardId!, records.slice(100), {
      timeLeftMs: () => 60_000,
    });
    expect(outcome).toMatchObject({ coldStart: true, replayed: 100, applied: 100 });
  });
});
