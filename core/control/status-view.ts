import type { RestartStrategy } from '../config/index.js';
import type {
  CheckpointRecord,
  CheckpointStatistics,
  CheckpointStatus,
  JobMeta,
  JobStatus,
} from '../ports/checkpoint-store.js';
import { describeRestartStatus } from '../recovery/restart-status.js';
import type { ControlResultBase } from './control-types.js';
import { formatBytes, isoTime } from './format.js';

/** Checkpoints shown by `status` (Flink's checkpoint history view); `list` shows them all. */
export const STATUS_HISTORY_SIZE = 10;

export interface CheckpointView {
  checkpointId: number;
  kind: CheckpointRecord['kind'];
  status: CheckpointStatus;
  triggeredAt: string;
  completedAt?: string;
  durationMs?: number;
  sizeBytes?: number;
  failureReason?: string;
  storagePrefix: string;
  stats?: CheckpointStatistics;
}

export interface StatusResult extends ControlResultBase {
  action: 'status';
  jobId: string;
  /** NOT_STARTED: no checkpoint metadata yet (nothing was ever triggered). */
  status: JobStatus | 'NOT_STARTED';
  statusReason?: string;
  generation?: number;
  latestCheckpointId?: number;
  pendingCheckpoints: number[];
  checkpoints: CheckpointView[];
  recentFailures: Array<{ at: string; reason: string }>;
  restartStrategy: string;
  /** When FAILED or CANCELED: how to bring the job back. */
  howToResume?: string;
}

export interface ListResult extends ControlResultBase {
  action: 'list';
  jobId: string;
  checkpoints: CheckpointView[];
}

function checkpointView(record: CheckpointRecord, withStats: boolean): CheckpointView {
  return {
    checkpointId: record.checkpointId,
    kind: record.kind,
    status: record.status,
    triggeredAt: isoTime(record.triggerTimeMs) ?? '',
    ...(record.completedAtMs === undefined ? {} : { completedAt: isoTime(record.completedAtMs) }),
    ...(record.stats ? { durationMs: record.stats.durationMs } : {}),
    ...(record.totalSizeBytes === undefined ? {} : { sizeBytes: record.totalSizeBytes }),
    ...(record.failureReason === undefined ? {} : { failureReason: record.failureReason }),
    storagePrefix: record.storagePrefix,
    ...(withStats && record.stats ? { stats: record.stats } : {}),
  };
}

const byIdDescending = (a: CheckpointRecord, b: CheckpointRecord) => b.checkpointId - a.checkpointId;

function completedList(records: CheckpointRecord[]): string {
  return records
    .filter((r) => r.status === 'COMPLETED')
    .sort(byIdDescending)
    .map((r) => `${r.checkpointId} (${r.kind.toLowerCase()})`)
    .join(', ');
}

/** How to bring a FAILED or CANCELED job back: a restore, as the console and the CLI spell it. */
export function howToResume(job: JobMeta, records: CheckpointRecord[]): string {
  const completed = completedList(records);
  if (completed === '') {
    return (
      `job ${job.jobId} is ${job.status} and no completed checkpoint or savepoint is left to restore from ` +
      '(DELETE_ON_CANCELLATION deletes completed checkpoints; savepoints stay): next time, cancel with ' +
      '{"action":"cancel","savepointFirst":true}'
    );
  }
  const newest = records.filter((r) => r.status === 'COMPLETED').sort(byIdDescending)[0]!;
  const failed =
    job.status === 'FAILED'
      ? " The restore sets the job RUNNING again and re-enables the processor's event source mappings, which " +
        'the restart strategy disabled when it gave up.'
      : '';
  return (
    `restore a retained checkpoint or savepoint (completed: ${completed}). Preview with ` +
    '{"action":"restore","checkpointId":"latest","dryRun":true} (CLI: flinkless restore --checkpoint latest ' +
    `--dry-run), then run it without dryRun, or pick one: {"action":"restore","checkpointId":${newest.checkpointId}}.` +
    failed
  );
}

/** The `status` view: the job, its checkpoint history and its restart strategy at `nowMs`. Pure. */
export function describeStatus(
  jobId: string,
  job: JobMeta | undefined,
  records: CheckpointRecord[],
  restartStrategy: RestartStrategy,
  nowMs: number,
): StatusResult {
  const sorted = [...records].sort(byIdDescending);
  const pending = sorted.filter((r) => r.status === 'PENDING').map((r) => r.checkpointId);
  const restartLine = describeRestartStatus(restartStrategy, { failures: job?.failures ?? [] }, nowMs);
  const checkpoints = sorted.slice(0, STATUS_HISTORY_SIZE).map((r) => checkpointView(r, true));
  if (!job) {
    return {
      ok: true,
      action: 'status',
      jobId,
      status: 'NOT_STARTED',
      pendingCheckpoints: pending,
      checkpoints,
      recentFailures: [],
      restartStrategy: restartLine,
      summary: `job ${jobId} has no checkpoint metadata yet: no checkpoint or savepoint was ever triggered`,
    };
  }
  const recentFailures = job.failures
    .filter((f) => f.reason !== '')
    .slice(-STATUS_HISTORY_SIZE)
    .map((f) => ({ at: isoTime(f.atMs) ?? '', reason: f.reason }));
  const resume = job.status === 'RUNNING' ? undefined : howToResume(job, records);
  const latest =
    job.latestCheckpointId === undefined ? 'no completed checkpoint' : `latest ${job.latestCheckpointId}`;
  const summary =
    `job ${jobId} ${job.status}${job.statusReason ? ` (${job.statusReason})` : ''}, generation ${job.generation}, ` +
    `${latest}, ${pending.length} pending; restart strategy ${restartLine}` +
    (resume ? '; see howToResume' : '');
  return {
    ok: true,
    action: 'status',
    jobId,
    status: job.status,
    ...(job.statusReason === undefined ? {} : { statusReason: job.statusReason }),
    generation: job.generation,
    ...(job.latestCheckpointId === undefined ? {} : { latestCheckpointId: job.latestCheckpointId }),
    pendingCheckpoints: pending,
    checkpoints,
    recentFailures,
    restartStrategy: restartLine,
    ...(resume === undefined ? {} : { howToResume: resume }),
    summary,
  };
}

/** The `list` view: every checkpoint and savepoint record, newest first. Pure. */
export function describeList(jobId: string, records: CheckpointRecord[]): ListResult {
  const sorted = [...records].sort(byIdDescending);
  const count = (status: CheckpointStatus, kind: CheckpointRecord['kind']) =>
    sorted.filter((r) => r.status === status && r.kind === kind).length;
  const retainedBytes = sorted
    .filter((r) => r.status === 'COMPLETED')
    .reduce((sum, r) => sum + (r.totalSizeBytes ?? 0), 0);
  const others = sorted.length - count('COMPLETED', 'CHECKPOINT') - count('COMPLETED', 'SAVEPOINT');
  return {
    ok: true,
    action: 'list',
    jobId,
    checkpoints: sorted.map((r) => checkpointView(r, false)),
    summary:
      `job ${jobId}: ${count('COMPLETED', 'CHECKPOINT')} completed checkpoints, ` +
      `${count('COMPLETED', 'SAVEPOINT')} savepoints (${formatBytes(retainedBytes)}), ` +
      `${others} pending, aborted or discarded`,
  };
}
