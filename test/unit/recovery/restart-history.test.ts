import { describe, expect, it } from 'vitest';
import { appendFailure, MAX_FAILURE_REASON_CHARS } from '../../../core/recovery/restart-history.js';

const entries = (count: number, fromMs = 0) =>
  Array.from({ length: count }, (_, i) => ({ atMs: fromMs + i, reason: `f${fromMs + i}` }));

describe('appendFailure', () => {
  it('keeps the newest 10 failures with their reason', () => {
    // Act
    const kept = appendFailure(entries(10), { atMs: 10, reason: 'f10' });

    // Assess
    expect(kept).toEqual(entries(10, 1));
  });

  it('truncates a long reason so the job item stays small', () => {
    // Act
    const [kept] = appendFailure([], { atMs: 0, reason: 'x'.repeat(10_000) });

    // Assess
    expect(kept?.reason).toHaveLength(MAX_FAILURE_REASON_CHARS);
    expect(kept?.reason.endsWith('…')).toBe(true);
  });

  it('keeps older failures inside the failure-rate window, without their reason', () => {
    // Act
    const kept = appendFailure(
      entries(19),
      { atMs: 19, reason: 'f19' },
      { windowEntries: 15, windowStartMs: 0 },
    );

    // Assess
    expect(kept).toHaveLength(15);
    expect(kept.slice(0, 5)).toEqual([5, 6, 7, 8, 9].map((atMs) => ({ atMs, reason: '' })));
    expect(kept.slice(5)).toEqual(entries(10, 10));
  });

  it('drops older failures that left the failure-rate window', () => {
    // Act
    const kept = appendFailure(
      entries(19),
      { atMs: 19, reason: 'f19' },
      { windowEntries: 15, windowStartMs: 8 },
    );

    // Assess
    expect(kept.map((f) => f.atMs)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('puts a late-arriving failure in time order', () => {
    // Act
    const kept = appendFailure(entries(3, 10), { atMs: 5, reason: 'late' });

    // Assess
    expect(kept.map((f) => f.atMs)).toEqual([5, 10, 11, 12]);
  });
});
