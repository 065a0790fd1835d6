import { describe, expect, it } from 'vitest';
import { runLocal } from '../../local/runtime/run-local.js';

describe('npm start: the whole system on its own emulators', () => {
  it('with faults and an operator restore, the final state matches an independent recomputation', async () => {
    // Prepare
    const lines: string[] = [];

    // Act
    const result = await runLocal({
      shards: 2,
      records: 3_000,
      intervalMs: 2_000,
      recordsPerSecond: 1_000,
      mode: 'EXACTLY_ONCE',
      faults: true,
      seed: 3,
      log: (line) => lines.push(line),
    });

    // Assess
    expect(result).toMatchObject({ match: true, records: 3_000, restores: 1, mismatchedShards: [] });
    expect(result.checkpointsCompleted).toBeGreaterThanOrEqual(3);
    expect(result.checkpointsAborted).toBeGreaterThanOrEqual(1);
    expect(result.crashes).toBeGreaterThan(0);
    expect(result.checkpoints.some((c) => c.reason === 'CHECKPOINT_EXPIRED')).toBe(true);
    expect(lines.some((l) => l.startsWith('operator: control {"action":"restore"'))).toBe(true);
    expect(lines.some((l) => l.startsWith('progress: records in='))).toBe(true);
  });
});
