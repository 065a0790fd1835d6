import { describe, expect, it } from 'vitest';
import { checkIterativeJob, ITERATIVE_JOB_WARNING } from '../../../core/checkpoint/iterative-job.js';
import { checkpointPrefix } from '../../../core/checkpoint/storage-location.js';
import type { CheckpointingMode } from '../../../core/config/index.js';
import type { OutputSink } from '../../../core/ports/output-sink.js';
import { restoreCheckpoint } from '../../../core/recovery/restore.js';
import { defineOperator, valueState } from '../../../core/state/index.js';
import { EventSourceMappingSimulator } from '../../../local/esm/event-source-mapping.js';
import { FakeClock } from '../../../local/pipeline/fake-clock.js';
import { checkpointState } from '../../../local/pipeline/final-state.js';
import { ManualCoordinator } from '../../../local/pipeline/manual-coordinator.js';
import { memoryParts } from '../../../local/pipeline/parts.js';
import { processorContainer } from '../../../local/pipeline/processor-container.js';
import { seededRandom } from '../../../local/pipeline/random.js';

const JOB = 'job-iterative';
const HOPS = 3;

/** Counts every record per key; a record with hops left sends one more around the loop (to its own input). */
const loopCounter = defineOperator({
  name: 'loop-counter',
  state: { seen: valueState({ default: 0 }) },
  processElement(event: { hops: number }, ctx) {
    ctx.state.seen.update(ctx.state.seen.value() + 1);
    if (event.hops > 0) ctx.output({ hops: event.hops - 1 });
  },
});

/** `idempotent`: the loop edge drops an output id it has written (the sink contract); else it appends, like PutRecords. */
function loopJob(mode: CheckpointingMode, idempotent = true) {
  // A forced iterative job: its output stream is its input stream.
  const warning = checkIterativeJob({ inputStream: 'clicks', outputStream: 'clicks' }, true);
  const clock = new FakeClock(1_700_000_000_000);
  const parts = memoryParts(2, clock);
  const encoder = new TextEncoder();
  // The loop edge honours the sink contract: idempotent on the output id (a rewrite after a cold start is dropped).
  const written = new Set<string>();
  const loopEdge: OutputSink = {
    async write(records) {
      for (const r of records) {
        if (idempotent && written.has(r.id)) continue;
        written.add(r.id);
        parts.stream.put(r.key, encoder.encode(JSON.stringify(r.value)));
      }
    },
  };
  const esm = new EventSourceMappingSimulator({
    source: parts.source,
    createContainer: processorContainer({
      parts,
      operator: loopCounter,
      settings: { jobId: JOB, mode, memoryThresholdBytes: 0, compression: 'none' },
      sink: loopEdge,
    }),
    batchSize: 20,
    random: seededRandom(4),
  });
  const seed = async (keys: number) => {
    for (let k = 0; k < keys; k++) parts.stream.put(`k${k}`, encoder.encode(JSON.stringify({ hops: HOPS })));
  };
  const coordinator = new ManualCoordinator(parts, JOB, (id) =>
    checkpointPrefix('checkpoints', JOB, id).replace(/\/$/, ''),
  );
  const checkpoint = () =>
    coordinator.checkpoint(async () => {
      await esm.drain();
      clock.advance(1_000);
    });
  /** Drains the loop: checkpoints until no more records come back around (exactly-once holds outputs until one completes). */
  const settle = async () => {
    for (let round = 0; round < 3 * HOPS + 3; round++) await checkpoint();
  };
  /** Records applied per key, summed over shards (the loop may move a key's records between none: keyed by partition key). */
  const totalSeen = async () => {
    const final = await checkpoint();
    let total = 0;
    for (const content of (await checkpointState(parts, JOB, final)).values()) {
      for (const [, value] of content.keyed.seen ?? []) total += value as number;
    }
    return total;
  };
  const deps = { store: parts.store, snapshots: parts.snapshots, writer: parts.writer, clock };
  return { warning, esm, seed, checkpoint, settle, totalSeen, deps };
}

describe('iterative job (force: true): the loop edge is as exactly-once as the sink it goes through', () => {
  it.each<CheckpointingMode>(['EXACTLY_ONCE', 'AT_LEAST_ONCE'])(
    '%s, loop edge idempotent on the output id: a failure with loop records in flight recovers to the failure-free result',
    async (mode) => {
      // Prepare: a checkpoint, then a second wave of seeds whose loop records are in flight
      const job = loopJob(mode, true);
      await job.seed(10);
      await job.esm.drain();
      const before = await job.checkpoint();
      await job.esm.drain();
      await job.seed(10);
      await job.esm.drain();

      // Act: the job fails and recovers from the last completed checkpoint
      await restoreCheckpoint(job.deps, { jobId: JOB, checkpointId: before });
      await job.esm.drain();
      await job.settle();

      // Assess: every seed and each of its HOPS loop records applied exactly once
      expect(job.warning).toBe(ITERATIVE_JOB_WARNING);
      expect(await job.totalSeen()).toBe(20 * (HOPS + 1));
    },
  );

  it('EXACTLY_ONCE, loop edge that appends (like PutRecords): outputs written again after cold starts come around again', async () => {
    // Prepare
    const job = loopJob('EXACTLY_ONCE', false);

    // Act: no failure at all, only the simulator's cold containers
    await job.seed(10);
    await job.esm.drain();
    await job.settle();

    // Assess: a cold start re-sends the outputs of the last completed checkpoint (the sink is expected to
    // drop them by id); an appending loop edge turns each into another record of the input, applied again.
    expect(await job.totalSeen()).toBeGreaterThan(10 * (HOPS + 1));
  });
});
