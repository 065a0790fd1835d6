import { describe, expect, it } from 'vitest';
import {
  type ClickEvent,
  clickCounter,
  clickRecords,
  runClickCounterDemo,
  WINDOW_SIZE_MS,
} from '../../../../core/state/examples/click-counter.js';
import { OperatorRuntime } from '../../../../core/state/index.js';

const t0 = Date.UTC(2024, 0, 1);

describe('click-counter example', () => {
  it('counts clicks, pages and amounts per user and closes the first window once the watermark passes it', () => {
    // Act
    const runtime = runClickCounterDemo();
    // Assess
    expect(runtime.keyedEntries('clicks')).toEqual([
      ['ann', 3],
      ['bob', 2],
    ]);
    expect(runtime.keyedEntries('clicksByPage')).toEqual([
      [
        'ann',
        [
          ['/home', 2],
          ['/cart', 1],
        ],
      ],
      [
        'bob',
        [
          ['/cart', 1],
          ['/home', 1],
        ],
      ],
    ]);
    expect(runtime.keyedEntries('amountCents')).toEqual([
      ['ann', 410],
      ['bob', 300],
    ]);
    expect(runtime.keyedEntries('closedWindows')).toEqual([
      ['ann', [{ userId: 'ann', windowStartMs: t0, clicks: 2 }]],
      ['bob', [{ userId: 'bob', windowStartMs: t0, clicks: 2 }]],
    ]);
    expect(runtime.keyedEntries('windowClicks')).toEqual([['ann', [[t0 + WINDOW_SIZE_MS, 1]]]]);
    expect(runtime.captureSnapshot().operator).toEqual({
      processed: 5,
      windowsFired: 2,
      lateClicksDropped: 0,
    });
  });

  it('drops a click whose window already closed', () => {
    const runtime = runClickCounterDemo();
    runtime.processRecord(
      clickRecords([{ userId: 'bob', page: '/x', amountCents: 1, atMs: t0 + 30_000 }])[0]!,
    );
    expect(runtime.operatorStateValue('lateClicksDropped')).toBe(1);
    expect(runtime.operatorStateValue('windowsFired')).toBe(2);
  });

  it('ends in the same state when restored from a snapshot at any point of the input', () => {
    // Prepare
    const clicks: ClickEvent[] = Array.from({ length: 40 }, (_, i) => ({
      userId: ['ann', 'bob', 'cid'][i % 3]!,
      page: ['/home', '/cart', '/pay'][i % 2]!,
      amountCents: i * 10,
      atMs: t0 + i * 7_000 - (i % 4) * 3_000,
    }));
    const records = clickRecords(clicks);
    const straight = new OperatorRuntime(clickCounter);
    for (const record of records) straight.processRecord(record);
    const expected = straight.captureSnapshot();
    for (let cut = 0; cut <= records.length; cut++) {
      // Act
      const before = new OperatorRuntime(clickCounter);
      for (const record of records.slice(0, cut)) before.processRecord(record);
      const after = OperatorRuntime.fromSnapshot(clickCounter, structuredClone(before.captureSnapshot()));
      for (const record of records.slice(cut)) after.processRecord(record);
      // Assess
      expect(after.captureSnapshot()).toEqual(expected);
    }
    expect(straight.operatorStateValue('windowsFired')).toBeGreaterThan(0);
  });
});
