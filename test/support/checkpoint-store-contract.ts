import { afterEach, beforeEach, describe } from 'vitest';
import type { CheckpointStore } from '../../core/ports/index.js';
import { ackContract } from './checkpoint-store-contract/acks.js';
import { checkpointContract } from './checkpoint-store-contract/checkpoints.js';
import { cursorContract } from './checkpoint-store-contract/cursors.js';
import { jobContract } from './checkpoint-store-contract/jobs.js';
import { ledgerContract } from './checkpoint-store-contract/ledger.js';

export interface StoreUnderTest {
  store: CheckpointStore;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every CheckpointStore owes (core/ports/checkpoint-store.ts),
 * written once and run against each implementation. `makeStore` gives an empty
 * store per test.
 */
export function checkpointStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let current: StoreUnderTest | undefined;
    beforeEach(async () => {
      current = await makeStore();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });
    const store = (): CheckpointStore => {
      if (!current) throw new Error('no store: makeStore did not run');
      return current.store;
    };

    jobContract(store);
    checkpointContract(store);
    ackContract(store);
    cursorContract(store);
    ledgerContract(store);
  });
}
