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
});
