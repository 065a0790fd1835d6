import { describe, expect, it } from 'vitest';
import { MsgpackWriter } from '../../../core/snapshot/msgpack-writer.js';
import { estimatePayloadBytes, writeSnapshotPayload } from '../../../core/snapshot/payload-writer.js';
import type { StateSnapshotView } from '../../../core/state/snapshot-content.js';
import { sampleMeta } from './snapshot-files.js';

/** Live-table content like a runtime's snapshotView: value state, map state, list state and timers. */
function viewOfUsers(users: number): StateSnapshotView {
  const counts = new Map<string, unknown>();
  const pages = new Map<string, unknown>();
  const windows: Array<[string, unknown]> = [];
  const eventTime = [];
  for (let u = 0; u < users; u++) {
    const key = `user-${u}`;
    counts.set(key, u % 1_000);
    pages.set(
      key,
      new Map([
        ['/home', u % 7],
        ['/cart', u % 3],
      ]),
    );
    windows.push([
      key,
      Array.from({ length: 5 }, (_, w) => ({ key, startMs: 1_700_000_000_000 + w, clicks: w })),
    ]);
    eventTime.push({ key, timestampMs: 1_700_000_000_000 + u });
  }
  return {
    keyed: {
      counts: { table: counts, valuesAreMaps: false },
      pages: { table: pages, valuesAreMaps: true },
      windows,
    },
    operator: {},
    timers: { eventTime, processingTime: [] },
    watermarkMs: null,
  };
}

describe('estimatePayloadBytes', () => {
  it('estimates keyed tables, map state, entry lists and timers within 10% of what is written', () => {
    // Prepare
    const view = viewOfUsers(20_000);
    const writer = new MsgpackWriter(0);
    writeSnapshotPayload(writer, sampleMeta, view);
    const writtenBytes = writer.position;

    // Act
    const estimateBytes = estimatePayloadBytes(new MsgpackWriter(0), view);

    // Assess
    expect(estimateBytes).toBeGreaterThan(writtenBytes * 0.9);
    expect(estimateBytes).toBeLessThan(writtenBytes * 1.1);
  });

  it('estimates an empty state as nothing', () => {
    // Act
    const estimateBytes = estimatePayloadBytes(new MsgpackWriter(0), viewOfUsers(0));

    // Assess
    expect(estimateBytes).toBe(0);
  });
});
