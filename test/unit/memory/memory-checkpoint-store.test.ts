import { describe, expect, it } from 'vitest';
import { BadInputError, CheckpointError } from '../../../core/errors/index.js';
import { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import {
  aCheckpoint,
  aCursor,
  aJob,
  anAck,
  anInlineAck,
  JOB,
  patternBytes,
  rejectionOf,
  shardId,
} from '../../support/checkpoint-fixtures.js';
import { checkpointStoreContract } from '../../support/checkpoint-store-contract.js';

checkpointStoreContract('MemoryCheckpointStore', async () => ({
  store: new MemoryCheckpointStore(),
  cleanup: async () => {},
}));

const injected = (op: string) => new CheckpointError('INJECTED_FAULT', `injected fault in ${op}`);

async function populated(store: MemoryCheckpointStore): Promise<void> {
  await store.createJob(aJob());
  await store.createCheckpoint(JOB, aCheckpoint(1));
  await store.putAck(JOB, anInlineAck(1, shardId(0), patternBytes(32)));
  await store.createCursor(JOB, aCursor(shardId(0)));
}

describe('MemoryCheckpointStore faults', () => {
  it('a throwing after hook leaves the write applied while the caller sees the error (ambiguous write)', async () => {
    // Prepare
    const store = new MemoryCheckpointStore({
      faults: {
        after: (op) => {
          if (op === 'putAck') throw injected(op);
        },
      },
    });

    // Act
    const error = await rejectionOf(store.putAck(JOB, anAck(1, shardId(0))));

    // Assess
    expect(error).toBeInstanceOf(CheckpointError);
    expect(await store.getAck(JOB, 1, shardId(0))).toEqual(anAck(1, shardId(0)));
  });

  it('a throwing before hook fails the call with nothing changed', async () => {
    // Prepare
    let armed = false;
    const store = new MemoryCheckpointStore({
      faults: {
        before: (op) => {
          if (armed && op === 'commitCursor') throw injected(op);
        },
      },
    });
    await populated(store);
    const before = store.dump();
    armed = true;

    // Act
    const error = await rejectionOf(
      store.commitCursor(JOB, shardId(0), 1, { lastSequenceNumber: '5', owner: 'c', updatedAtMs: 1 }),
    );

    // Assess
    expect((error as CheckpointError).reason).toBe('INJECTED_FAULT');
    expect(store.dump()).toEqual(before);
  });

  it('hooks see the operation name and its arguments', async () => {
    // Prepare
    const seen: [string, unknown[]][] = [];
    const store = new MemoryCheckpointStore({ faults: { before: (op, args) => void seen.push([op, args]) } });

    // Act
    await store.getCursor(JOB, shardId(2));

    // Assess
    expect(seen).toEqual([['getCursor', [JOB, shardId(2)]]]);
  });
});

describe('MemoryCheckpointStore dump', () => {
  it('bad input changes nothing, byte for byte', async () => {
    // Prepare
    const store = new MemoryCheckpointStore();
    await populated(store);
    const before = JSON.stringify(store.dump());
    const { version: _, ...next } = aJob({ jobId: 'other' });

    // Act
    const errors = [
      await rejectionOf(store.updateJob(JOB, 1, next)),
      await rejectionOf(store.putAck(JOB, anAck(-1, shardId(1)))),
      await rejectionOf(store.createCursor(JOB, aCursor(''))),
      await rejectionOf(store.replaceCursor(JOB, 1, aCursor(shardId(0), { version: 1 }))),
      await rejectionOf(store.createJob(aJob({ jobId: '' }))),
    ];

    // Assess
    for (const error of errors) expect(error).toBeInstanceOf(BadInputError);
    expect(JSON.stringify(store.dump())).toBe(before);
  });

  it('is the same for the same items written in a different order', async () => {
    // Prepare
    const a = new MemoryCheckpointStore();
    const b = new MemoryCheckpointStore();
    await a.putAck(JOB, anAck(1, shardId(1)));
    await a.putAck(JOB, anAck(1, shardId(0)));
    await a.createJob(aJob());
    await b.createJob(aJob());
    await b.putAck(JOB, anAck(1, shardId(0)));
    await b.putAck(JOB, anAck(1, shardId(1)));

    // Act
    const [dumpA, dumpB] = [JSON.stringify(a.dump()), JSON.stringify(b.dump())];

    // Assess
    expect(dumpA).toBe(dumpB);
    expect(Object.keys(a.dump())).toEqual([
      `JOB#${JOB} ACK#S001#${shardId(0)}`,
      `JOB#${JOB} ACK#S001#${shardId(1)}`,
      `JOB#${JOB} META`,
    ]);
  });

  it('is a copy: changing it does not change the store', async () => {
    // Prepare
    const store = new MemoryCheckpointStore();
    await store.createJob(aJob());
    const dump = store.dump() as Record<string, { generation: { N: string } }>;

    // Act
    dump[`JOB#${JOB} META`]!.generation.N = '99';

    // Assess
    expect((await store.getJob(JOB))?.generation).toBe(1);
  });
});
