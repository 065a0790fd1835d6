import { randomInt, seededRandom } from '../pipeline/random.js';

/** One kind of infrastructure failure the campaign injects, each on its own. */
export const FAULT_CLASSES = [
  'none',
  'dynamodb-throttling',
  'dynamodb-5xx',
  'dynamodb-ambiguous-write',
  'coordinator-ambiguous-write',
  's3-5xx',
  'snapshot-corruption',
  'kinesis-iterator-expired',
  'duplicate-delivery',
  'zombie-invocation',
  'clock-skew',
  'restore-while-pending',
] as const;

export type FaultClass = (typeof FAULT_CLASSES)[number];

export function isFaultClass(name: string): name is FaultClass {
  return (FAULT_CLASSES as readonly string[]).includes(name);
}

/**
 * The seeded dice of one run: which fault class, how often it fires, and a
 * count of what actually fired (a run that injected nothing proves nothing).
 * Its random stream is separate from the scenario's, so adding a fault never
 * changes the workload or the crash schedule of the same seed.
 */
export class FaultPlan {
  readonly random: () => number;
  readonly injected = new Map<string, number>();

  constructor(
    readonly faultClass: FaultClass,
    readonly seed: number,
    /** Probability per eligible call. */
    readonly probability: number,
  ) {
    // A different stream from seededRandom(seed), which the scenario uses.
    this.random = seededRandom((seed * 2_654_435_761) ^ 0x5bd1e995);
  }

  /** Rolls the dice for one eligible call; counts the fault under `label` when it fires. */
  fires(faultClass: FaultClass, label: string): boolean {
    if (this.faultClass !== faultClass || this.random() >= this.probability) return false;
    this.injected.set(label, (this.injected.get(label) ?? 0) + 1);
    return true;
  }

  totalInjected(): number {
    return [...this.injected.values()].reduce((a, b) => a + b, 0);
  }

  /** Clock offset of the processors against the coordinator: ±1..30 s, seeded. */
  clockSkewMs(): number {
    if (this.faultClass !== 'clock-skew') return 0;
    const sign = this.random() < 0.5 ? -1 : 1;
    const skewMs = sign * randomInt(this.random, 1, 30) * 1_000;
    this.injected.set(`clock skew ${skewMs} ms`, 1);
    return skewMs;
  }
}
