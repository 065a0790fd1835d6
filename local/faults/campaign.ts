import { FAULT_CLASSES, type FaultClass } from './fault-classes.js';
import { type FaultRunResult, failed, type RunTarget, runFaultRun } from './fault-run.js';

export interface CampaignOptions {
  classes?: readonly FaultClass[];
  /** In-memory runs in total, spread evenly over the classes. */
  memoryRuns: number;
  /** Emulator runs in total, spread evenly over the classes (needs `emulators`). */
  emulatorRuns: number;
  emulators?: Extract<RunTarget, { kind: 'emulators' }>;
  /** First seed; run i uses seed + i, so any failed run is replayed from its printed seed. */
  seed: number;
  onRun?: (result: FaultRunResult) => void;
}

export interface ClassTotals {
  faultClass: FaultClass;
  runs: number;
  injected: number;
  lost: number;
  duplicated: number;
  mismatches: number;
  orphans: number;
  unverified: number;
  errors: number;
}

export interface CampaignReport {
  totals: ClassTotals[];
  failures: FaultRunResult[];
  runs: number;
}

/** Runs every fault class N times on seeded schedules and sums what went wrong. */
export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const classes = options.classes ?? FAULT_CLASSES;
  const totals = new Map<FaultClass, ClassTotals>(
    classes.map((c) => [
      c,
      {
        faultClass: c,
        runs: 0,
        injected: 0,
        lost: 0,
        duplicated: 0,
        mismatches: 0,
        orphans: 0,
        unverified: 0,
        errors: 0,
      },
    ]),
  );
  const failures: FaultRunResult[] = [];
  const plan: Array<{ faultClass: FaultClass; target: RunTarget }> = [];
  for (let i = 0; i < options.memoryRuns; i++)
    plan.push({ faultClass: classes[i % classes.length]!, target: { kind: 'memory' } });
  if (options.emulators) {
    for (let i = 0; i < options.emulatorRuns; i++)
      plan.push({ faultClass: classes[i % classes.length]!, target: options.emulators });
  }
  for (const [i, run] of plan.entries()) {
    const result = await runFaultRun(run.faultClass, options.seed + i, run.target);
    const t = totals.get(run.faultClass)!;
    t.runs++;
    t.injected += Object.values(result.injected).reduce((a, b) => a + b, 0);
    t.lost += result.lost;
    t.duplicated += result.duplicated;
    t.mismatches += result.mismatches;
    t.orphans += result.orphans;
    t.unverified += result.unverified;
    if (result.error !== undefined) t.errors++;
    if (failed(result)) failures.push(result);
    options.onRun?.(result);
  }
  return { totals: [...totals.values()], failures, runs: plan.length };
}

/** The per-class table, one line per class, then the summary line the CI greps. */
export function formatCampaign(report: CampaignReport): string[] {
  const header = [
    'class',
    'runs',
    'injected',
    'lost',
    'duplicated',
    'mismatches',
    'orphans',
    'unverified',
    'errors',
  ];
  const rows = report.totals.map((t) => [
    t.faultClass,
    ...[t.runs, t.injected, t.lost, t.duplicated, t.mismatches, t.orphans, t.unverified, t.errors].map(
      String,
    ),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const sum = (pick: (t: ClassTotals) => number) => report.totals.reduce((a, t) => a + pick(t), 0);
  return [
    line(header),
    ...rows.map(line),
    `faults: runs=${report.runs} lost=${sum((t) => t.lost)} duplicated=${sum((t) => t.duplicated)} ` +
      `mismatches=${sum((t) => t.mismatches)} orphans=${sum((t) => t.orphans)} unverified=${sum((t) => t.unverified)} ` +
      `errors=${sum((t) => t.errors)}`,
  ];
}

/** How to replay one failed run. */
export function describeFailure(result: FaultRunResult): string {
  const what = result.error
    ? `did not finish: ${result.error}`
    : `lost=${result.lost} duplicated=${result.duplicated} mismatches=${result.mismatches} ` +
      `orphans=${result.orphans} unverified=${result.unverified}`;
  return (
    `FAILED fault=${result.faultClass} seed=${result.seed} target=${result.target} records=${result.records} ` +
    `shards=${result.shards}: ${what}${result.details.length ? `\n    ${result.details.join('\n    ')}` : ''}`
  );
}
