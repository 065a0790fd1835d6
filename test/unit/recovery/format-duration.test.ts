import { describe, expect, it } from 'vitest';
import { formatDurationMs } from '../../../core/recovery/format-duration.js';

describe('formatDurationMs', () => {
  it.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [1_000, '1 s'],
    [3_375, '3.4 s'],
    [90_000, '1.5 min'],
    [7_200_000, '2 h'],
    [Number.POSITIVE_INFINITY, 'forever'],
  ])('formats %d ms as %s', (ms, expected) => {
    expect(formatDurationMs(ms)).toBe(expected);
  });
});
