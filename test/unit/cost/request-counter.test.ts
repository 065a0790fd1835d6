import { describe, expect, it } from 'vitest';
import { ledgerToAttr } from '../../../core/aws/dynamodb-items.js';
import { ConditionFailedError } from '../../../core/errors/index.js';
import { MemoryCheckpointStore } from '../../../core/memory/memory-checkpoint-store.js';
import { attributeSizeBytes, writeUnits } from '../../../local/cost/item-size.js';
import { countingStore, emptyCounts } from '../../../local/cost/request-counter.js';
import { aCheckpoint, aJob, anAck, JOB, rejectionOf, shardId } from '../../support/checkpoint-fixtures.js';

describe('countingStore (DynamoDB units as billed)', () => {
  it('bills a ledger write by the size of META: more retained records, more write units', async () => {
    // Prepare: a ledger of 12 completed checkpoints with statistics (several KB)
    const inner = new MemoryCheckpointStore();
    const counts = emptyCounts();
    const store = countingStore(inner, counts);
    await store.createJob(aJob());
    const stats = {
      durationMs: 1,
      shards: 4,
      ackLatencyMs: { min: 1, median: 2, max: 3 },
      inlineShards: 0,
      largestSnapshotBytes: 9,
    };
    const many = Array.from({ length: 12 }, (_, i) =>
      aCheckpoint(i + 1, { status: 'COMPLETED', completedAtMs: 5, stats }),
    );
    const before = counts.dynamoWrites;

    // Act
    await store.commitLedger(JOB, (await inner.readLedger(JOB))!, { put: many });

    // Assess
    const expected = writeUnits(attributeSizeBytes(ledgerToAttr(many)));
    expect(expected).toBeGreaterThan(1);
    expect(counts.dynamoWrites - before).toBeGreaterThanOrEqual(expected);
  });

  it('bills a refused conditional ledger write, and a read of META as one read unit per started 4 KB', async () => {
    // Prepare
    const inner = new MemoryCheckpointStore();
    const counts = emptyCounts();
    const store = countingStore(inner, counts);
    await inner.createJob(aJob());
    const stale = (await inner.readLedger(JOB))!;
    await inner.createCheckpoint(JOB, aCheckpoint(1));

    // Act
    const error = await rejectionOf(store.commitLedger(JOB, stale, { put: [aCheckpoint(2)] }));
    await store.readLedger(JOB);

    // Assess
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect(counts.dynamoWrites).toBe(1);
    expect(counts.dynamoReads).toBe(1);
  });

  it('bills a query by what it returns: many inline acks are several read units', async () => {
    // Prepare: 4 acks of 3 KB each, 12 KB in all
    const inner = new MemoryCheckpointStore();
    const counts = emptyCounts();
    const store = countingStore(inner, counts);
    for (let i = 0; i < 4; i++) {
      const inline = new Uint8Array(3_072);
      await inner.putAck(
        JOB,
        anAck(1, shardId(i), { snapshot: { inline, sha256: 'ab'.repeat(32), sizeBytes: 3_072 } }),
      );
    }

    // Act
    await store.listAcks(JOB, 1);

    // Assess
    expect(counts.dynamoReads).toBe(4);
  });
});
