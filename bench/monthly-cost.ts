import type { CostPerMillion } from './cost-per-million.js';

/** Monthly volumes the README's cost table is drawn at (records per month). */
export const MONTHLY_VOLUMES = [10e6, 100e6, 1e9, 10e9] as const;

export interface MonthlyCostRow {
  recordsPerMonth: number;
  /** Average rate the volume implies over a 730-hour month. */
  recordsPerSecond: number;
  frameworkUsd: number;
  peerUsd: number;
}

const SECONDS_PER_MONTH = 730 * 3_600;

/**
 * What a month costs at each volume, from the measured requests per million
 * records priced at list prices (no figure of its own): the framework's row
 * scales the bench's per-million dollars, the peer's the same for the peer.
 */
export function monthlyCostRows(framework: CostPerMillion, peer: CostPerMillion): MonthlyCostRow[] {
  return MONTHLY_VOLUMES.map((recordsPerMonth) => ({
    recordsPerMonth,
    recordsPerSecond: recordsPerMonth / SECONDS_PER_MONTH,
    frameworkUsd: (framework.usd * recordsPerMonth) / 1e6,
    peerUsd: (peer.usd * recordsPerMonth) / 1e6,
  }));
}

const VOLUME_LABELS = new Map<number, string>([
  [10e6, '10 million'],
  [100e6, '100 million'],
  [1e9, '1 billion'],
  [10e9, '10 billion'],
]);

export function renderMonthlyCost(rows: MonthlyCostRow[]): string[] {
  return [
    '| records per month (average rate) | flinkless requests | Powertools idempotency requests |',
    '|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${VOLUME_LABELS.get(r.recordsPerMonth) ?? r.recordsPerMonth} (${r.recordsPerSecond.toFixed(1)}/s) | $${r.frameworkUsd.toFixed(2)} | $${r.peerUsd.toFixed(2)} |`,
    ),
  ];
}
