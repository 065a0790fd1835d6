import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseMemorySizeBytes } from '../../../core/config/units.js';

describe('parseDurationMs', () => {
  it.each([
    ['10 s', 10_000],
    ['10s', 10_000],
    ['1 min', 60_000],
    ['2m', 120_000],
    ['500 ms', 500],
    ['1h', 3_600_000],
    ['1 d', 86_400_000],
    ['3 seconds', 3_000],
    ['  7 SEC  ', 7_000],
    ['2 minutes', 120_000],
    ['250', 250],
    ['0', 0],
    ['5000 µs', 5],
    ['2000000 ns', 2],
  ])('reads the Flink duration %j as %i ms', (text, expectedMs) => {
    // Prepare / Act
    const parsed = parseDurationMs(text);

    // Assess
    expect(parsed).toEqual({ ok: true, value: expectedMs });
  });

  it('reads a plain number as milliseconds', () => {
    expect(parseDurationMs(1500)).toEqual({ ok: true, value: 1500 });
  });

  it.each(['ten seconds', '10 fortnights', '1.5 s', '-5 s', '', 's', '10 s 5 ms'])(
    'refuses %j, saying which forms are expected',
    (text) => {
      const parsed = parseDurationMs(text);

      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.message).toMatch(/expected a duration such as "500 ms", "10 s".*found/);
    },
  );

  it('refuses a sub-millisecond duration that is not a whole number of milliseconds', () => {
    const parsed = parseDurationMs('1500 µs');

    expect(parsed).toEqual({
      ok: false,
      message: 'expected a whole number of milliseconds, found "1500 µs"',
    });
  });

  it.each([-1, 1.5, Number.NaN])('refuses the number %d', (value) => {
    expect(parseDurationMs(value).ok).toBe(false);
  });
});

describe('parseMemorySizeBytes', () => {
  it.each([
    ['1kb', 1024],
    ['4 kb', 4096],
    ['1 mb', 1_048_576],
    ['1m', 1_048_576],
    ['2 KB', 2048],
    ['1 g', 1024 ** 3],
    ['300 kibibytes', 307_200],
    ['64 bytes', 64],
    ['4096', 4096],
    ['0', 0],
  ])('reads the Flink memory size %j as %i bytes', (text, expectedBytes) => {
    const parsed = parseMemorySizeBytes(text);

    expect(parsed).toEqual({ ok: true, value: expectedBytes });
  });

  it('reads a plain number as bytes', () => {
    expect(parseMemorySizeBytes(1024)).toEqual({ ok: true, value: 1024 });
  });

  it.each(['1.5 kb', 'four kb', '1 zb', '-1', '1 kb 2 b'])(
    'refuses %j, saying which forms are expected',
    (text) => {
      const parsed = parseMemorySizeBytes(text);

      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.message).toMatch(/expected a memory size such as "1024", "4 kb".*found/);
    },
  );

  it('refuses a size too large to be exact in a JavaScript number', () => {
    expect(parseMemorySizeBytes('99999999999 tb').ok).toBe(false);
  });
});
