import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_FORMAT_VERSION } from '../../../core/snapshot/index.js';
import { GOLDEN_META, GOLDEN_ZSTD_LEVEL, goldenContent } from '../../fixtures/snapshots/golden-content.js';

// Regenerate only for a deliberate format change: npx tsx test/fixtures/snapshots/make-golden.ts
const goldenFile = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/snapshots/${name}`, import.meta.url)));

const cases = [
  { compression: 'none', options: { compression: 'none' as const } },
  { compression: 'zstd', options: { compression: 'zstd' as const, zstdLevel: GOLDEN_ZSTD_LEVEL } },
];

describe.each(cases)('golden snapshot with compression $compression', ({ compression, options }) => {
  it('version 1 decodes to the exact documented content (files once written stay readable)', () => {
    // Prepare
    const bytes = goldenFile(`v1-${compression}.snap`);

    // Act
    const decoded = decodeSnapshot(bytes);

    // Assess
    expect(decoded.header.formatVersion).toBe(1);
    expect(decoded.header.compression).toBe(options.compression);
    expect(decoded.meta).toStrictEqual(GOLDEN_META);
    expect(decoded.content).toStrictEqual(goldenContent());
    const session = decoded.content.keyed.sessions?.[0]?.[1] as { byDevice: unknown };
    expect(session.byDevice).toStrictEqual(
      new Map<unknown, unknown>([
        ['mobile', 2],
        [7, { nested: true }],
      ]),
    );
    expect(decoded.content.keyed.fingerprints?.[0]?.[1]).toStrictEqual(Uint8Array.of(0, 1, 2, 253, 254, 255));
  });

  it('of the current version is what the encoder writes today, byte for byte (a format change needs a new version)', () => {
    // Prepare
    const golden = goldenFile(`v${SNAPSHOT_FORMAT_VERSION}-${compression}.snap`);

    // Act
    const today = encodeSnapshot(GOLDEN_META, goldenContent(), options);

    // Assess
    expect(Buffer.from(today).toString('hex')).toBe(Buffer.from(golden).toString('hex'));
  });
});
