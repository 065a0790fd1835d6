import { createAwsClients } from '../../core/aws/clients.js';
import { compileConfig } from '../../core/config/index.js';
import { CRASH_POINTS } from '../../core/processing/crash-points.js';
import type { CheckpointingMode } from '../../core/processing/types.js';
import { clickCounter } from '../../core/state/examples/click-counter.js';
import type { createControlHandler } from '../../functions/shared/control-handler.js';
import { emulatorConnection } from '../connection.js';
import { startEmulators } from '../emulators.js';
import { clickWorkload } from '../pipeline/click-workload.js';
import { controlHandlerOnParts } from '../pipeline/control-on-parts.js';
import { CoordinatedPipeline, runPipelineStateMachine } from '../pipeline/coordinated-pipeline.js';
import { CrashSchedule } from '../pipeline/crash-schedule.js';
import { FakeClock } from '../pipeline/fake-clock.js';
import { verifyAgainstInput } from '../pipeline/final-state.js';
import { awsParts } from '../pipeline/parts.js';
import { seededRandom } from '../pipeline/random.js';
import { provisionResources } from '../resources.js';

export interface LocalRunOptions {
  shards: number;
  records: number;
  intervalMs: number;
  mode: CheckpointingMode;
  faults: boolean;
  seed: number;
  /** Simulated production rate. */
  recordsPerSecond: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface CheckpointRow {
  id: number;
  kind: string;
  status: string;
  durationMs?: number;
  sizeBytes?: number;
  reason?: string;
}

export interface LocalRunResult {
  match: boolean;
  records: number;
  checkpointsCompleted: number;
  checkpointsAborted: number;
  restores: number;
  crashes: number;
  mismatchedShards: string[];
  lostOrDuplicatedClicks: number;
  checkpoints: CheckpointRow[];
  wallMs: number;
}

/** serverless.yml's default job id for stage "local". */
const JOB_ID = 'flinkless-local';

/**
 * The whole system on this machine: emulators, the producer, the event source
 * mapping simulator delivering to the real middy processor, the coordinator's
 * real state machine definition on the local executor (time-compressed: its
 * waits and the processors' clock are simulated, every AWS call is real against
 * the emulators), fault injection and an operator's restore. Ends with the
 * final state compared to an independent recomputation from the input.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const wallStart = Date.now();
  const emulators = await startEmulators();
  const clients = createAwsClients(emulatorConnection(emulators.endpoints));
  try {
    return await run(options, clients, wallStart);
  } finally {
    clients.destroy();
    await emulators.stop();
  }
}

async function run(
  options: LocalRunOptions,
  clients: ReturnType<typeof createAwsClients>,
  wallStart: number,
): Promise<LocalRunResult> {
  const { log } = options;
  // The names serverless.yml gives stage "local" (the emulators are fresh for every run).
  const names = {
    stream: 'flinkless-local-source',
    table: 'flinkless-local-checkpoints',
    bucket: 'flinkless-local-us-east-1-state',
  };
  await provisionResources(clients, names, { shardCount: options.shards });
  log(
    `emulators up; stream ${names.stream} (${options.shards} shards), table ${names.table}, bucket ${names.bucket}`,
  );
  const clock = new FakeClock(Date.now());
  const parts = awsParts(clients, names, clock);
  const random = seededRandom(options.seed);
  const config = compileConfig({
    jobId: JOB_ID,
    checkpointsDir: `s3://${names.bucket}/checkpoints`,
    savepointsDir: `s3://${names.bucket}/savepoints`,
    intervalMs: options.intervalMs,
    mode: options.mode,
    timeoutMs: Math.max(4 * options.intervalMs, 5_000),
    tolerableFailedCheckpoints: 5,
    numRetainedCheckpoints: 3,
    memoryThresholdBytes: 1024,
  });
  const workload = clickWorkload(options.records, 500, random);
  const productionMs = Math.ceil((options.records / options.recordsPerSecond) * 1_000);
  const startMs = clock.nowMs();
  let produced = 0;
  let restores = 0;
  const stallAtMs = startMs + productionMs * 0.35;
  // Longer than the timeout plus an interval: at least one checkpoint must expire.
  const stallForMs = config.timeoutMs + 2 * options.intervalMs;
  const restoreAtMs = startMs + productionMs * 0.6;
  const crashes = options.faults
    ? new CrashSchedule({ points: CRASH_POINTS, crashesPerPoint: 1, maxVisitsBetweenCrashes: 8, random })
    : undefined;
  let stalledShard: string | undefined;
  let lastProgress = 0;
  // The console-invoked control function, as an operator would use it.
  const control = controlHandlerOnParts(parts, config, clock);

  const pipeline: CoordinatedPipeline = new CoordinatedPipeline({
    parts,
    clock,
    operator: clickCounter,
    config,
    ...(crashes ? { faults: crashes } : {}),
    esm: { random, coldStartRate: 0.02, batchSize: 100 },
    // Short windows, so the run ends soon after the input does (a window may overshoot).
    settings: { windowMs: 3 * options.intervalMs },
    produce: () => {
      const due = Math.min(
        workload.records.length,
        Math.floor(((clock.nowMs() - startMs) / 1_000) * options.recordsPerSecond),
      );
      const batch = workload.records.slice(produced, due);
      produced = Math.max(produced, due);
      return batch;
    },
    onTick: async () => {
      if (options.signal?.aborted) throw new Error('interrupted');
      const now = clock.nowMs();
      if (options.faults && stalledShard === undefined && now >= stallAtMs && now < stallAtMs + stallForMs) {
        stalledShard = (await parts.source.listShardIds())[0];
        if (stalledShard) pipeline.stalledShards.add(stalledShard);
        log(`fault: ${stalledShard} stops acknowledging for ${stallForMs} ms (a checkpoint will time out)`);
      }
      if (stalledShard && now >= stallAtMs + stallForMs && pipeline.stalledShards.has(stalledShard)) {
        pipeline.stalledShards.delete(stalledShard);
        log(`fault: ${stalledShard} delivers again`);
      }
      if (restores === 0 && now >= restoreAtMs) restores += await restoreEarlier(log, control, parts);
      if (Date.now() - lastProgress >= 2_000) {
        lastProgress = Date.now();
        log(await progressLine(pipeline, parts, produced, wallStart, crashes?.totalCrashes() ?? 0, restores));
      }
    },
  });

  const runFor = async (durationMs: number) => {
    await runPipelineStateMachine(pipeline, parts, clock, {
      durationMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.signal?.aborted) throw new Error('interrupted');
  };
  await runFor(productionMs + options.intervalMs);
  // Everything produced: deliver the rest, then let a few checkpoints cover it.
  await pipeline.esm.drain();
  const faultsOverMs = options.faults ? stallAtMs + stallForMs - clock.nowMs() : 0;
  await runFor(Math.max(0, faultsOverMs) + 4 * options.intervalMs + 2_000);
  log(await progressLine(pipeline, parts, produced, wallStart, crashes?.totalCrashes() ?? 0, restores));

  const verdict = await compare(parts, workload.expected, produced);
  const checkpoints = (await parts.store.listCheckpoints(JOB_ID)).map((r) => ({
    id: r.checkpointId,
    kind: r.kind,
    status: r.status,
    ...(r.stats ? { durationMs: r.stats.durationMs } : {}),
    ...(r.totalSizeBytes !== undefined ? { sizeBytes: r.totalSizeBytes } : {}),
    ...(r.failureReason ? { reason: r.failureReason } : {}),
  }));
  return {
    ...verdict,
    records: produced,
    checkpointsCompleted: pipeline.stats.completed,
    checkpointsAborted: pipeline.stats.aborted,
    restores,
    crashes: crashes?.totalCrashes() ?? 0,
    checkpoints,
    wallMs: Date.now() - wallStart,
  };
}

/** What an operator does from the console: restore an earlier checkpoint (not the latest). */
async function restoreEarlier(
  log: (line: string) => void,
  control: ReturnType<typeof createControlHandler>,
  parts: ReturnType<typeof awsParts>,
): Promise<number> {
  const completed = (await parts.store.listCheckpoints(JOB_ID))
    .filter((r) => r.status === 'COMPLETED' && r.kind === 'CHECKPOINT')
    .sort((a, b) => a.checkpointId - b.checkpointId);
  const target = completed[0];
  if (!target) return 0;
  const result = await control({ action: 'restore', checkpointId: target.checkpointId });
  log(`operator: control {"action":"restore","checkpointId":${target.checkpointId}} -> ${result.summary}`);
  return result.ok ? 1 : 0;
}

async function compare(
  parts: ReturnType<typeof awsParts>,
  expected: Map<string, { clicks: number }>,
  produced: number,
): Promise<Pick<LocalRunResult, 'match' | 'mismatchedShards' | 'lostOrDuplicatedClicks'>> {
  const job = await parts.store.getJob(JOB_ID);
  if (job?.latestCheckpointId === undefined) {
    return {
      match: false,
      mismatchedShards: ['(no completed checkpoint)'],
      lostOrDuplicatedClicks: produced,
    };
  }
  const verdict = await verifyAgainstInput(parts, clickCounter, JOB_ID, job.latestCheckpointId, expected);
  const off = verdict.lost + verdict.duplicated;
  return {
    match: verdict.mismatchedShards.length === 0 && off === 0,
    mismatchedShards: verdict.mismatchedShards,
    lostOrDuplicatedClicks: off,
  };
}

async function progressLine(
  pipeline: CoordinatedPipeline,
  parts: ReturnType<typeof awsParts>,
  produced: number,
  wallStart: number,
  crashes: number,
  restores: number,
): Promise<string> {
  const seconds = Math.max(0.001, (Date.now() - wallStart) / 1_000);
  const delivered = pipeline.esm.stats.deliveredRecords;
  const job = await parts.store.getJob(JOB_ID);
  const last =
    job?.latestCheckpointId === undefined
      ? undefined
      : await parts.store.getCheckpoint(JOB_ID, job.latestCheckpointId);
  const lastText = last?.stats
    ? ` last=#${last.checkpointId} ${last.stats.durationMs} ms ${last.totalSizeBytes ?? 0} B`
    : '';
  return (
    `progress: records in=${produced} delivered=${delivered} (${Math.round(delivered / seconds)}/s) ` +
    `checkpoints completed=${pipeline.stats.completed} aborted=${pipeline.stats.aborted}${lastText} ` +
    `crashes=${crashes} restores=${restores}`
  );
}
