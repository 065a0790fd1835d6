import { describe, expect, it } from 'vitest';
import { MemoryOutputSink } from '../../../core/memory/memory-output-sink.js';
import { ShardOutputs } from '../../../core/processing/shard-outputs.js';

const SHARD = 'shardId-000000000000';

/** Emits `count` outputs attributed to the record `origin`. */
function emit(outputs: ShardOutputs, origin: string, count: number): void {
  outputs.beginOrigin(origin);
  for (let i = 0; i < count; i++) outputs.handler({ n: i }, `key-${origin}`);
}

describe('ShardOutputs (EXACTLY_ONCE)', () => {
  it('publishes an output only once the checkpoint it was assigned to has completed', async () => {
    // Prepare
    const outputs = new ShardOutputs(SHARD, 'EXACTLY_ONCE');
    const sink = new MemoryOutputSink();
    emit(outputs, '100', 2);
    outputs.assignTo(7);
    emit(outputs, '200', 1);
    outputs.assignTo(8);
    // Act
    const beforeAny = await outputs.publish(sink, undefined);
    const before = await outputs.publish(sink, 6);
    const afterFirst = await outputs.publish(sink, 7);
    const waiting = outputs.waitingForCompletion(7);
    const afterSecond = await outputs.publish(sink, 8);
    // Assess
    expect([beforeAny, before, afterFirst, afterSecond]).toEqual([0, 0, 2, 1]);
    expect(waiting).toBe(true);
    expect(outputs.waitingForCompletion(8)).toBe(false);
    expect(sink.writes.map((w) => w.id)).toEqual([`${SHARD}/100/0`, `${SHARD}/100/1`, `${SHARD}/200/0`]);
    expect(outputs.pendingCount).toBe(0);
  });

  it('publishes by checkpoint id, not by position, when a savepoint barrier overtook an older checkpoint', async () => {
    // Prepare: savepoint 12's barrier reached the shard before checkpoint 11's.
    const outputs = new ShardOutputs(SHARD, 'EXACTLY_ONCE');
    const sink = new MemoryOutputSink();
    emit(outputs, '100', 1);
    outputs.assignTo(12);
    emit(outputs, '200', 1);
    outputs.assignTo(11);
    // Act
    const published = await outputs.publish(sink, 11);
    // Assess
    expect(published).toBe(1);
    expect(sink.writes.map((w) => w.id)).toEqual([`${SHARD}/200/0`]);
    expect(outputs.hasPublishable(11)).toBe(false);
    expect(outputs.hasPublishable(12)).toBe(true);
    expect(outputs.waitingForCompletion(11)).toBe(true);
  });

  it('keeps unassigned outputs back until a barrier assigns them', async () => {
    // Prepare
    const outputs = new ShardOutputs(SHARD, 'EXACTLY_ONCE');
    const sink = new MemoryOutputSink();
    emit(outputs, '100', 3);
    // Act
    const published = await outputs.publish(sink, 99);
    // Assess
    expect(published).toBe(0);
    expect(outputs.waitingForCompletion(undefined)).toBe(false);
    expect(outputs.pendingCount).toBe(3);
  });

  it('publishes a restored outbox by the checkpoint ids it carries', async () => {
    // Prepare
    const outputs = new ShardOutputs(SHARD, 'EXACTLY_ONCE', [
      { checkpointId: 4, id: `${SHARD}/1/0`, key: 'a', value: 1 },
      { checkpointId: 5, id: `${SHARD}/2/0`, key: 'b', value: 2 },
    ]);
    const sink = new MemoryOutputSink();
    // Act
    const waitingBefore = outputs.waitingForCompletion(3);
    const published = await outputs.publish(sink, 4);
    // Assess
    expect(waitingBefore).toBe(true);
    expect(published).toBe(1);
    expect(sink.writes).toEqual([{ id: `${SHARD}/1/0`, key: 'a', value: 1, shardId: SHARD }]);
    expect(outputs.waitingForCompletion(4)).toBe(true);
    expect(outputs.hasPublishable(5)).toBe(true);
  });
});
