import { describe, expect, it } from 'vitest';
import {
  CRASH_POINTS,
  type CrashContext,
  type CrashPoint,
  type FaultInjector,
  InjectedCrashError,
} from '../../../core/processing/crash-points.js';
import { ids, JOB_ID, loggedIds, protocolFixture } from './protocol-fixture.js';

/** Throws once at `point`, after being armed; remembers every point visited. */
class CrashOnceAt implements FaultInjector {
  armed = false;
  fired = false;
  readonly visited: CrashPoint[] = [];
  constructor(private readonly point: CrashPoint | undefined) {}
  at(point: CrashPoint, context: CrashContext): void {
    if (!this.armed) return;
    this.visited.push(point);
    if (point !== this.point || this.fired) return;
    this.fired = true;
    throw new InjectedCrashError(point, context);
  }
}

/**
 * Container A is warm after [a, b, c]; the next batch [d, e, barrier, f, g] carries a
 * pending checkpoint's barrier with uploaded snapshots (threshold 0), so it visits
 * every crash point. A crashes at `point`; a new container B retries the batch,
 * then processes [h].
 */
async function crashScenario(point: CrashPoint | undefined) {
  const fx = await protocolFixture({ memoryThresholdBytes: 0 });
  const shardId = fx.shardIds[0]!;
  const warmUp = fx.produce(['a', 'b', 'c']);
  const faults = new CrashOnceAt(point);
  const crashing = fx.container({ containerId: 'crashing', faults });
  await crashing.processBatch(shardId, warmUp);
  fx.produce(['d', 'e']);
  const checkpoint = await fx.trigger();
  fx.produce(['f', 'g']);
  const batch = fx.recordsAfter(warmUp[2]!.sequenceNumber);
  const last = fx.produce(['h']);
  return { fx, shardId, faults, crashing, checkpoint, batch, last, all: [...warmUp, ...batch, ...last] };
}

describe('crash points of the per-batch protocol', () => {
  it('a failure-free batch with a barrier visits every crash point', async () => {
    // Prepare
    const { shardId, faults, crashing, batch } = await crashScenario(undefined);
    expect(ids(batch)).toEqual(['d', 'e', 'barrier', 'f', 'g']);
    faults.armed = true;
    // Act
    await crashing.processBatch(shardId, batch);
    // Assess
    expect(new Set(faults.visited)).toEqual(new Set(CRASH_POINTS));
  });

  it.each(CRASH_POINTS)(
    'after a crash at %s, a new container retrying the batch reaches the failure-free state, cursor and one ack',
    async (point) => {
      // Prepare
      const { fx, shardId, faults, crashing, checkpoint, batch, last, all } = await crashScenario(point);
      faults.armed = true;
      // Act
      const crash = await crashing.processBatch(shardId, batch).then(
        () => undefined,
        (error: unknown) => error,
      );
      const retrying = fx.container({ containerId: 'retrying' });
      await retrying.processBatch(shardId, batch);
      await retrying.processBatch(shardId, last);
      // Assess
      expect(faults.fired).toBe(true);
      expect(crash).toBeInstanceOf(InjectedCrashError);
      expect((crash as InjectedCrashError).point).toBe(point);
      expect(crashing.liveRuntime(shardId)).toBeUndefined();
      expect(fx.liveState(retrying)).toBe(fx.referenceState(all));
      expect(loggedIds(fx.liveState(retrying))).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
      const cursor = await fx.store.getCursor(JOB_ID, shardId);
      expect(cursor?.lastSequenceNumber).toBe(last[0]!.sequenceNumber);
      expect(cursor?.owner).toBe('retrying');
      const acks = await fx.store.listAcks(JOB_ID, checkpoint.checkpointId);
      expect(acks).toHaveLength(1);
      expect(acks[0]!.sequenceNumber).toBe(batch[2]!.sequenceNumber);
      expect(loggedIds(await fx.ackState(acks[0]!))).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect((await fx.complete(checkpoint.checkpointId)).status).toBe('COMPLETED');
    },
  );
});
