import { describe, expect, it } from 'vitest';
import type { CompileConfigInput } from '../../../core/config/index.js';
import {
  type CheckpointEvent,
  coordinatedHarness,
  JOB_ID,
  recordsWithStatus,
  shardId,
  transitions,
  triggerTimeOf,
} from './coordinator-harness.js';

const TYPED: Omit<CompileConfigInput, 'jobId' | 'checkpointsDir'> = {
  intervalMs: 1_000,
  minPauseMs: 2_000,
  numRetainedCheckpoints: 3,
  timeoutMs: 10_000,
  tolerableFailedCheckpoints: 5,
};

const FLINK_CONF: Omit<CompileConfigInput, 'jobId' | 'checkpointsDir'> = {
  flinkConf: {
    'execution.checkpointing.interval': '1 s',
    'execution.checkpointing.min-pause': '2 s',
    'state.checkpoints.num-retained': 3,
    'execution.checkpointing.timeout': '10 s',
    'execution.checkpointing.tolerable-failed-checkpoints': 5,
  },
};

/** Runs 40 s with shard 1 stalled from 5 s to 17 s (one checkpoint expires), on a simulated-time log. */
async function run(options: Omit<CompileConfigInput, 'jobId' | 'checkpointsDir'>) {
  const h = coordinatedHarness({
    options,
    seed: 11,
    onTick: (elapsedMs, pipeline) => {
      if (elapsedMs >= 5_000 && elapsedMs < 17_000) pipeline.stalledShards.add(shardId(1));
      else pipeline.stalledShards.delete(shardId(1));
    },
  });
  await h.pipeline.runFor(40_000);
  const relative = (e: CheckpointEvent) => ({ ...e, atMs: e.atMs - h.startMs });
  return { h, timeline: h.events.map(relative) };
}

/** Flink users bring flink-conf.yaml values over: the same keys give the same coordinator behaviour. */
describe('Flink configuration keys drive the coordinator like the typed options', () => {
  it('gives the same trigger, completion, expiry and retention timeline from flinkConf as from typed options', async () => {
    // Prepare + Act
    const typed = await run(TYPED);
    const flink = await run(FLINK_CONF);

    // Assess: same compiled options, same timeline, same stored checkpoints
    for (const option of [
      'intervalMs',
      'minPauseMs',
      'numRetainedCheckpoints',
      'timeoutMs',
      'tolerableFailedCheckpoints',
    ] as const) {
      expect(flink.h.config[option]).toBe(typed.h.config[option]);
    }
    expect(flink.timeline).toEqual(typed.timeline);
    const completedIds = async (h: typeof typed.h) =>
      (await recordsWithStatus(h, 'COMPLETED')).map((r) => r.checkpointId);
    expect(await completedIds(flink.h)).toEqual(await completedIds(typed.h));
  });

  it('applies each Flink key’s semantic: 2 s min pause, 10 s timeout, 3 retained', async () => {
    // Prepare + Act
    const { h } = await run(FLINK_CONF);

    // Assess: the min pause (2 s) held after every completion
    const completions = transitions(h.events, 'COMPLETED').map((e) => e.atMs);
    const triggers = h.events.filter((e) => e.type === 'created').map((e) => e.atMs);
    for (const triggerMs of triggers.slice(1)) {
      const previous = Math.max(...completions.filter((c) => c <= triggerMs), Number.NEGATIVE_INFINITY);
      if (Number.isFinite(previous)) expect(triggerMs - previous).toBeGreaterThanOrEqual(2_000);
    }
    // The stalled checkpoint expired 10 s after its trigger, not at the 600 s default.
    const expired = transitions(h.events, 'ABORTED');
    expect(expired.map((e) => e.failureReason)).toEqual(['CHECKPOINT_EXPIRED']);
    const waitedMs = expired[0]!.atMs - triggerTimeOf(h.events, expired[0]!.checkpointId);
    expect(waitedMs).toBeGreaterThanOrEqual(10_000);
    expect(waitedMs).toBeLessThanOrEqual(10_000 + h.pipeline.settings.ackPollMs);
    // 3 retained, out of more completed.
    expect(completions.length).toBeGreaterThan(3);
    expect(await recordsWithStatus(h, 'COMPLETED')).toHaveLength(3);
    expect((await h.parts.store.getJob(JOB_ID))?.status).toBe('RUNNING');
  });
});
