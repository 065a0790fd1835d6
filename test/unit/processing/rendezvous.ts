import type { CheckpointStoreFaults } from '../../../core/memory/memory-checkpoint-store.js';

/**
 * Store fault hooks that hold the first `parties` calls of `operation` (once
 * armed) until all of them have taken effect: two containers then provably read
 * the same item before either writes, whatever the promise scheduling.
 */
export function rendezvousAfter(operation: string, parties: number) {
  let armed = false;
  let arrived = 0;
  let release: () => void = () => undefined;
  const everyone = new Promise<void>((resolve) => {
    release = resolve;
  });
  const faults: CheckpointStoreFaults = {
    async after(op) {
      if (!armed || op !== operation || arrived >= parties) return;
      arrived++;
      if (arrived === parties) release();
      await everyone;
    },
  };
  return {
    faults,
    arm() {
      armed = true;
    },
    get arrived() {
      return arrived;
    },
  };
}
