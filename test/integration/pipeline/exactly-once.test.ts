import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_POINTS } from '../../../core/processing/crash-points.js';
import { runExactlyOnceScenario } from '../../../local/pipeline/exactly-once-scenario.js';
import { awsParts } from '../../../local/pipeline/parts.js';
import { type EmulatorFixture, provisionFixture } from '../../support/emulators.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await provisionFixture(4, 'eo');
});
afterAll(() => fx?.clients.destroy());

describe('exactly-once on the emulators (DynamoDB, S3 and Kinesis adapters through the real SDK)', () => {
  it('a crash at every named crash point, retried by the event source mapping, loses and duplicates nothing', async () => {
    // Act
    const result = await runExactlyOnceScenario({
      parts: awsParts(fx.clients, fx.names),
      jobId: 'job-emu',
      records: 2_000,
      users: 80,
      seed: 4242,
      crashPoints: CRASH_POINTS,
      crashesPerPoint: 1,
      chunkSize: 500,
      transientRecordFailureRate: 0.001,
    });

    // Assess
    expect(result.missedPoints).toEqual([]);
    expect(result.checkpointsCompleted).toBeGreaterThanOrEqual(1);
    expect({ lost: result.lost, duplicated: result.duplicated, mismatched: result.mismatchedShards }).toEqual(
      {
        lost: 0,
        duplicated: 0,
        mismatched: [],
      },
    );
  });
});
