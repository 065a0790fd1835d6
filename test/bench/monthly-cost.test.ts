import { describe, expect, it } from 'vitest';
import type { CostPerMillion } from '../../bench/cost-per-million.js';
import { MONTHLY_VOLUMES, monthlyCostRows, renderMonthlyCost } from '../../bench/monthly-cost.js';

const measured = (usd: number): CostPerMillion => ({
  dynamoWrites: 0,
  dynamoReads: 0,
  s3Puts: 0,
  s3Gets: 0,
  s3Lists: 0,
  kinesisCalls: 0,
  kinesisPutUnits: 0,
  stepFunctionsTransitions: 0,
  usd,
});

describe('monthly cost table', () => {
  it('scales the measured dollars per million records to each monthly volume', () => {
    // Act
    const rows = monthlyCostRows(measured(0.026), measured(1.875));

    // Assess
    expect(rows.map((r) => r.recordsPerMonth)).toEqual([...MONTHLY_VOLUMES]);
    expect(rows[2]).toMatchObject({ recordsPerMonth: 1e9, frameworkUsd: 26, peerUsd: 1875 });
    expect(rows[0]?.recordsPerSecond).toBeCloseTo(10e6 / (730 * 3600), 6);
  });

  it('renders one row per volume with its average rate', () => {
    const lines = renderMonthlyCost(monthlyCostRows(measured(0.5), measured(2)));
    expect(lines).toHaveLength(2 + MONTHLY_VOLUMES.length);
    expect(lines[3]).toBe('| 100 million (38.1/s) | $50.00 | $200.00 |');
  });
});
