import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, SnapshotCorruptError } from '../../../core/snapshot/index.js';
import { emptySnapshotContent, type SnapshotMetadata } from '../../../core/state/snapshot-content.js';

const meta: SnapshotMetadata = {
  jobId: 'job',
  shardId: 'shardId-000000000000',
  checkpointId: 7,
  sequenceNumber: '49000000000000000000000000000000000000000000000000000007',
  operatorName: 'op',
  createdAtMs: 1,
};

describe('snapshot outbox (EXACTLY_ONCE outputs pre-committed with the checkpoint)', () => {
  it.each(['none', 'zstd'] as const)(
    'round-trips outbox entries with Map and binary values (%s)',
    (compression) => {
      // Prepare
      const content = {
        ...emptySnapshotContent(),
        outbox: [
          { checkpointId: 7, id: 'shardId-000000000000/4900/0', key: 'u1', value: new Map([[1, 'a']]) },
          {
            checkpointId: 7,
            id: 'shardId-000000000000/4901/0',
            key: 'u2',
            value: { bytes: new Uint8Array([1, 2]) },
          },
        ],
      };

      // Act
      const decoded = decodeSnapshot(encodeSnapshot(meta, content, { compression }));

      // Assess
      expect(decoded.content.outbox).toEqual(content.outbox);
      expect(decoded.content.outbox?.[0]?.value).toBeInstanceOf(Map);
    },
  );

  it('a snapshot without outputs carries no outbox field (the v1 golden bytes are unchanged)', () => {
    const decoded = decodeSnapshot(encodeSnapshot(meta, emptySnapshotContent(), { compression: 'none' }));
    expect('outbox' in decoded.content).toBe(false);
  });

  it('an outbox entry without an id is corrupt, not silently restored', () => {
    // Prepare
    const content = { ...emptySnapshotContent(), outbox: [{ checkpointId: 7, key: 'u1', value: 1 }] };

    // Act
    const bytes = encodeSnapshot(meta, content as never, { compression: 'none' });

    // Assess
    expect(() => decodeSnapshot(bytes)).toThrow(SnapshotCorruptError);
    expect(() => decodeSnapshot(bytes)).toThrow(/content\.outbox\[0\]\.id/);
  });
});
