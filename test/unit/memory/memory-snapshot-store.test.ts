import { describe, expect, it } from 'vitest';
import { isCheckpointError } from '../../../core/errors/index.js';
import { MemorySnapshotStore } from '../../../core/memory/memory-snapshot-store.js';
import { caught, collect, describeSnapshotStoreContract } from '../../support/snapshot-store-contract.js';

describeSnapshotStoreContract('MemorySnapshotStore', async () => {
  const store = new MemorySnapshotStore();
  return {
    store,
    async overwrite(key, bytes) {
      store.corrupt(key, () => bytes);
    },
  };
});

describe('MemorySnapshotStore', () => {
  it('corrupt flips stored bytes in place so that get fails with SNAPSHOT_CORRUPT', async () => {
    // Prepare
    const store = new MemorySnapshotStore();
    const ref = await store.put('a.snap', new Uint8Array([1, 2, 3]));

    // Act
    store.corrupt('a.snap', (bytes) => {
      bytes[0] = 9;
    });
    const error = await caught(store.get(ref));

    // Assess
    expect(isCheckpointError(error, 'SNAPSHOT_CORRUPT')).toBe(true);
  });

  it('refuses different bytes under an existing key: keys are written once', async () => {
    // Prepare
    const store = new MemorySnapshotStore();
    const ref = await store.put('once.snap', new Uint8Array([1]));

    // Act
    const error = await caught(store.put('once.snap', new Uint8Array([2])));

    // Assess
    expect(isCheckpointError(error, 'CONDITION_FAILED')).toBe(true);
    expect(Array.from(await store.get(ref))).toEqual([1]);
  });

  it('a throwing after-hook leaves the write done though the caller sees a failure (ambiguous write)', async () => {
    // Prepare
    const store = new MemorySnapshotStore({
      faults: {
        after(operation) {
          if (operation === 'put') throw new Error('connection reset after the write');
        },
      },
    });

    // Act
    const error = await caught(store.put('ambiguous.snap', new Uint8Array([7])));

    // Assess
    expect((error as Error).message).toContain('connection reset');
    expect(store.has('ambiguous.snap')).toBe(true);
  });

  it('a throwing before-hook leaves nothing written', async () => {
    // Prepare
    const seen: string[] = [];
    const store = new MemorySnapshotStore({
      faults: {
        before(operation, args) {
          seen.push(`${operation}:${String(args[0])}`);
          throw new Error('refused');
        },
      },
    });

    // Act
    const error = await caught(store.put('never.snap', new Uint8Array([7])));

    // Assess
    expect((error as Error).message).toBe('refused');
    expect(seen).toEqual(['put:never.snap']);
    store.faults = {};
    expect(await collect(store.list(''))).toEqual([]);
  });

  it('copies bytes in and out, so callers cannot change what is stored', async () => {
    // Prepare
    const store = new MemorySnapshotStore();
    const bytes = new Uint8Array([1, 2, 3]);
    const ref = await store.put('copy.snap', bytes);
    bytes[0] = 0;

    // Act
    const first = await store.get(ref);
    first[1] = 0;
    const second = await store.get(ref);

    // Assess
    expect(Array.from(second)).toEqual([1, 2, 3]);
  });
});
