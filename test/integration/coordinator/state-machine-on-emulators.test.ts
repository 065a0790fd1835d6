import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileConfig } from '../../../core/config/index.js';
import { clickCounter } from '../../../core/state/examples/click-counter.js';
import { clickWorkload } from '../../../local/pipeline/click-workload.js';
import {
  CoordinatedPipeline,
  runPipelineStateMachine,
} from '../../../local/pipeline/coordinated-pipeline.js';
import { FakeClock } from '../../../local/pipeline/fake-clock.js';
import { canonicalState, checkpointState } from '../../../local/pipeline/final-state.js';
import { awsParts } from '../../../local/pipeline/parts.js';
import { seededRandom } from '../../../local/pipeline/random.js';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await provisionFixture(2, 'sfn');
});
afterAll(() => fx?.clients.destroy());

describe('the coordinator state machine on the local executor, with the real RunWindow handler, on the emulators', () => {
  it('drives periodic checkpoints that complete, keeps numRetainedCheckpoints, and leaves only referenced files', async () => {
    // Prepare
    const clock = new FakeClock(Date.now());
    const parts = awsParts(fx.clients, fx.names, clock);
    const config = compileConfig({
      jobId: 'sfn-job',
      checkpointsDir: `s3://${fx.names.bucket}/checkpoints`,
      intervalMs: 2_000,
      numRetainedCheckpoints: 2,
      memoryThresholdBytes: 256,
    });
    const random = seededRandom(99);
    const pipeline = new CoordinatedPipeline({
      parts,
      clock,
      operator: clickCounter,
      config,
      produce: (tick) => (tick % 4 === 0 ? clickWorkload(20, 15, random).records : []),
      settings: { windowMs: 20_000 },
      // The supervisor alone: this pins its windowing (the processor-driven path is below).
      processorsDrive: false,
    });

    // Act: 30 s of simulated time, windows of 20 s, through the real definition
    const result = await runPipelineStateMachine(pipeline, parts, clock, { durationMs: 30_000 });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.runWindowCalls).toBeGreaterThanOrEqual(2);
    expect(pipeline.stats.completed).toBeGreaterThanOrEqual(8);
    const records = await parts.store.listCheckpoints('sfn-job');
    const completed = records.filter((r) => r.status === 'COMPLETED');
    expect(completed).toHaveLength(2);
    expect((await parts.store.getJob('sfn-job'))?.latestCheckpointId).toBe(
      Math.max(...completed.map((r) => r.checkpointId)),
    );
    const latest = Math.max(...completed.map((r) => r.checkpointId));
    const states = await checkpointState(parts, 'sfn-job', latest);
    expect(states.size).toBe(2);
    for (const content of states.values()) expect(canonicalState(content)).toContain('clicks');
    // Files on S3 are exactly those the retained checkpoints' acks reference (subsumed ones deleted).
    const referenced = new Set<string>();
    for (const record of completed) {
      for (const ack of await parts.store.listAcks('sfn-job', record.checkpointId)) {
        if ('ref' in ack.snapshot) referenced.add(ack.snapshot.ref.key);
      }
    }
    // (A checkpoint still pending when the simulation stopped may hold its uploads.)
    const pendingPrefixes = records.filter((r) => r.status === 'PENDING').map((r) => `${r.storagePrefix}/`);
    const stored: string[] = [];
    for await (const object of parts.snapshots.list('checkpoints/')) {
      if (!pendingPrefixes.some((p) => object.key.startsWith(p))) stored.push(object.key);
    }
    expect(new Set(stored)).toEqual(referenced);
  });

  /** Three simulated minutes at a 30 s interval; records every poll unless `idle`. */
  async function run(jobId: string, options: { processorsDrive: boolean; idle?: boolean }) {
    const clock = new FakeClock(Date.now());
    const startMs = clock.nowMs();
    const parts = awsParts(fx.clients, fx.names, clock);
    const config = compileConfig({
      jobId,
      checkpointsDir: `s3://${fx.names.bucket}/checkpoints`,
      intervalMs: 30_000,
      memoryThresholdBytes: 256,
    });
    const random = seededRandom(7);
    const pipeline = new CoordinatedPipeline({
      parts,
      clock,
      operator: clickCounter,
      config,
      produce: () => (options.idle ? [] : clickWorkload(4, 15, random).records),
      processorsDrive: options.processorsDrive,
      pollIntervalMs: 1_000,
    });
    const result = await runPipelineStateMachine(pipeline, parts, clock, { durationMs: 3 * 60_000 });
    const triggers = (await parts.store.listCheckpoints(jobId)).map((r) => r.triggerTimeMs);
    return { result, pipeline, startMs, triggers };
  }

  it('when the processors drive, RunWindow runs far fewer times per checkpoint than when it drives alone', async () => {
    // Act: the same workload, supervisor alone vs processors driving
    const alone = await run('sfn-alone', { processorsDrive: false });
    const driven = await run('sfn-driven', { processorsDrive: true });

    // Assess: as many checkpoints either way, and at most one supervisor look per 5 minutes
    expect(alone.result.status).toBe('SUCCEEDED');
    expect(driven.result.status).toBe('SUCCEEDED');
    expect(alone.pipeline.stats.completed).toBeGreaterThanOrEqual(6);
    expect(driven.pipeline.stats.completed).toBeGreaterThanOrEqual(6);
    const perCheckpoint = (r: typeof alone) => r.result.runWindowCalls / r.pipeline.stats.completed;
    expect(alone.result.runWindowCalls).toBeGreaterThanOrEqual(6);
    expect(driven.result.runWindowCalls).toBeLessThanOrEqual(2);
    expect(perCheckpoint(driven)).toBeLessThanOrEqual(perCheckpoint(alone) / 3);
    expect(driven.result.transitions).toBeLessThan(alone.result.transitions / 2);
    // The supervisor made the first trigger only.
    expect(driven.pipeline.state.carry.supervisorTriggerTimeMs).toBe(driven.startMs);
  });

  it('on an idle stream the supervisor triggers the checkpoints and the processors’ acks complete them', async () => {
    // Act
    const idle = await run('sfn-idle', { processorsDrive: true, idle: true });

    // Assess: a checkpoint about every interval + grace, each triggered by the supervisor
    expect(idle.result.status).toBe('SUCCEEDED');
    expect(idle.pipeline.stats.completed).toBeGreaterThanOrEqual(5);
    expect(idle.pipeline.state.carry.supervisorTriggerTimeMs).toBe(Math.max(...idle.triggers));
    expect(idle.pipeline.stats.triggered - idle.pipeline.stats.completed).toBeLessThanOrEqual(1);
  });
});
