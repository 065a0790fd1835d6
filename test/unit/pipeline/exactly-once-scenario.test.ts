import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRASH_POINTS } from '../../../core/processing/crash-points.js';
import { runExactlyOnceScenario } from '../../../local/pipeline/exactly-once-scenario.js';
import { memoryParts } from '../../../local/pipeline/parts.js';

describe('exactly-once under crashes (in-memory ports, real protocol, real middy pipeline)', () => {
  it.each([
    { seed: 11, reportBatchItemFailures: true },
    { seed: 12, reportBatchItemFailures: false },
    { seed: 13, reportBatchItemFailures: true },
  ])(
    'a crash at every named crash point, retried, loses and duplicates nothing (seed $seed, partial failures $reportBatchItemFailures)',
    async ({ seed, reportBatchItemFailures }) => {
      // Act
      const result = await runExactlyOnceScenario({
        parts: memoryParts(4),
        jobId: 'job-eo',
        records: 3_000,
        users: 60,
        seed,
        crashPoints: CRASH_POINTS,
        crashesPerPoint: 3,
        transientRecordFailureRate: 0.002,
        reportBatchItemFailures,
      });

      // Assess
      expect(result.missedPoints).toEqual([]);
      expect(result.totalCrashes).toBe(CRASH_POINTS.length * 3);
      expect(result.checkpointsCompleted).toBeGreaterThanOrEqual(1);
      expect({
        lost: result.lost,
        duplicated: result.duplicated,
        mismatched: result.mismatchedShards,
      }).toEqual({
        lost: 0,
        duplicated: 0,
        mismatched: [],
      });
    },
  );

  it.each(['EXACTLY_ONCE', 'AT_LEAST_ONCE'] as const)(
    'outputs under crashes, %s: none lost or invented; exactly-once releases each only after its checkpoint completed',
    async (mode) => {
      // Act
      const result = await runExactlyOnceScenario({
        parts: memoryParts(4),
        jobId: `job-out-${mode}`,
        records: 6_000,
        users: 60,
        seed: 21,
        crashPoints: CRASH_POINTS,
        crashesPerPoint: 4,
        mode,
        transientRecordFailureRate: 0.002,
      });

      // Assess
      expect(result.outputs.expected).toBeGreaterThan(50);
      expect(result.outputs.missing).toBe(0);
      expect(result.outputs.unexpected).toBe(0);
      if (mode === 'EXACTLY_ONCE') expect(result.outputs.releasedEarly).toBe(0);
      expect({ lost: result.lost, duplicated: result.duplicated }).toEqual({ lost: 0, duplicated: 0 });
    },
  );

  it('random batch sizes, container churn, crashes and record failures never change the final state (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          shards: fc.integer({ min: 1, max: 4 }),
          records: fc.integer({ min: 50, max: 800 }),
          batchSize: fc.integer({ min: 1, max: 60 }),
          coldStartRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
          crashesPerPoint: fc.integer({ min: 0, max: 2 }),
          failureRate: fc.constantFrom(0, 0.01),
          reportBatchItemFailures: fc.boolean(),
          memoryThresholdBytes: fc.constantFrom(1, 1024, 100_000),
        }),
        async (p) => {
          const result = await runExactlyOnceScenario({
            parts: memoryParts(p.shards),
            jobId: 'job-prop',
            records: p.records,
            users: 25,
            seed: p.seed,
            crashPoints: CRASH_POINTS,
            crashesPerPoint: p.crashesPerPoint,
            batchSize: p.batchSize,
            chunkSize: 97,
            coldStartRate: p.coldStartRate,
            transientRecordFailureRate: p.failureRate,
            reportBatchItemFailures: p.reportBatchItemFailures,
            memoryThresholdBytes: p.memoryThresholdBytes,
          });
          return (
            result.lost === 0 &&
            result.duplicated === 0 &&
            result.mismatchedShards.length === 0 &&
            result.outputs.missing === 0 &&
            result.outputs.unexpected === 0 &&
            result.outputs.releasedEarly === 0
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
