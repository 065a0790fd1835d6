import { clickWorkload } from '../local/pipeline/click-workload.js';
import type { ProducedRecord } from '../local/pipeline/parts.js';
import { seededRandom } from '../local/pipeline/random.js';

/**
 * An endless, seeded click workload produced on demand in chunks, so a long run
 * never holds all its input in memory. Two producers with the same seed produce
 * the same records; the time spent producing is tracked, so a throughput figure
 * can leave it out (both sides of a comparison produce the same way).
 */
export class ChunkedClickProducer {
  produced = 0;
  productionMs = 0;
  private readonly random: () => number;
  private startMs: number;

  constructor(
    private readonly produce: (records: ProducedRecord[]) => Promise<void>,
    private readonly users: number,
    seed: number,
    private readonly chunk = 2_000,
  ) {
    this.random = seededRandom(seed);
    this.startMs = 1_700_000_000_000;
  }

  /** Produces one more chunk when fewer than `minBacklog` records wait beyond `consumed`. */
  async keepAhead(consumed: number, minBacklog: number, limit = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.produced - consumed >= minBacklog || this.produced >= limit) return;
    const t0 = performance.now();
    const count = Math.min(this.chunk, limit - this.produced);
    const { records } = clickWorkload(count, this.users, this.random, this.startMs);
    // Event time continues where the last chunk ended (clickWorkload adds 0..40 ms per click).
    this.startMs += count * 20;
    await this.produce(records);
    this.produced += count;
    this.productionMs += performance.now() - t0;
  }
}
