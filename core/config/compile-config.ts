import { ACK_SLOTS } from '../ports/checkpoint-store.js';
import { FLINK_UNLIMITED, isPlainObject, show } from './check.js';
import { CHECKPOINTING_OPTIONS } from './checkpointing-options.js';
import { closest } from './edit-distance.js';
import { readFlinkConf } from './flink-keys.js';
import { InvalidConfigError } from './invalid-config-error.js';
import { flinkPath, type Sourced, typedPath } from './option-spec.js';
import { merge, type Problems, pathOf, readTyped } from './resolve.js';
import { resolveRestartStrategy } from './restart-strategy.js';
import { isSameOrBelow } from './s3-location.js';
import type { CheckpointConfig, CompileConfigInput } from './types.js';

/**
 * Compiles user options, typed and/or Flink keys, once at cold start into a
 * complete, validated, deeply frozen CheckpointConfig. Every problem is collected
 * and thrown together as one InvalidConfigError; nothing is half-applied.
 */
const OTHER_TYPED_OPTIONS = ['restartStrategy', 'failOnCheckpointingErrors', 'flinkConf'];
const KNOWN_TYPED_OPTIONS = [...CHECKPOINTING_OPTIONS.map((spec) => spec.option), ...OTHER_TYPED_OPTIONS];

export function compileConfig(input: CompileConfigInput): CheckpointConfig {
  if (!isPlainObject(input)) {
    throw new InvalidConfigError([
      {
        path: 'checkpointing',
        message: `expected an options object with at least jobId, found ${show(input)}`,
      },
    ]);
  }
  const problems: Problems = { issues: [], warnings: [] };
  rejectUnknownOptions(input, problems);
  const flink = readFlinkConf(input.flinkConf, problems.issues, problems.warnings);

  const resolved = new Map<string, Sourced>();
  for (const spec of CHECKPOINTING_OPTIONS) {
    let typed = readTyped(spec, input[spec.option], typedPath(spec.option), problems);
    if (spec.id === 'tolerableFailedCheckpoints') {
      typed = withFailOnCheckpointingErrors(typed, input.failOnCheckpointingErrors, problems);
    }
    resolved.set(spec.id, merge(spec, typed, flink.get(spec.id), problems));
  }
  const get = (id: string): Sourced => resolved.get(id) ?? { value: undefined, path: 'default' };

  requireValue(get('jobId'), 'jobId', 'set jobId to 1 to 64 characters from [A-Za-z0-9._-]', problems);
  requireValue(
    get('checkpointsDir'),
    'checkpointsDir',
    'set checkpointsDir or flinkConf["state.checkpoints.dir"] to s3://bucket[/prefix]',
    problems,
  );
  if (get('savepointsDir').value === undefined && typeof get('checkpointsDir').value === 'string') {
    resolved.set('savepointsDir', { value: `${get('checkpointsDir').value}/savepoints`, path: 'default' });
  }

  checkMinPauseWithConcurrency(get('minPauseMs'), get('maxConcurrentCheckpoints'), problems);
  checkAckSlots(get('numRetainedCheckpoints'), get('maxConcurrentCheckpoints'), problems);
  checkParallelizationFactor(get('mode'), get('parallelizationFactor'), problems);
  checkSavepointsOutsideCheckpoints(get('jobId'), get('checkpointsDir'), get('savepointsDir'), problems);

  const checkpointingEnabled = get('intervalMs').value !== undefined;
  const restartStrategy = resolveRestartStrategy(
    input.restartStrategy,
    flink,
    checkpointingEnabled,
    problems,
  );

  if (get('preferCheckpointForRecovery').value === true) {
    problems.warnings.push(
      `${pathOf(get('preferCheckpointForRecovery'), 'preferCheckpointForRecovery')} is true: recovery may skip a newer savepoint and replay from an older checkpoint, which can lose data or apply effects twice (Flink removed this option after FLINK-20427); leave it false unless you know why you need it`,
    );
  }
  if (!checkpointingEnabled) {
    problems.warnings.push(
      'checkpointing is disabled: no periodic checkpoints are taken, so state is not fault tolerant; set checkpointing.intervalMs or flinkConf["execution.checkpointing.interval"] to enable it',
    );
  }
  if (problems.issues.length > 0) throw new InvalidConfigError(problems.issues);

  const config: Record<string, unknown> = {};
  for (const spec of CHECKPOINTING_OPTIONS) config[spec.option] = get(spec.id).value;
  config.restartStrategy = restartStrategy;
  config.warnings = problems.warnings;
  return deepFreeze(config) as unknown as CheckpointConfig;
}

function rejectUnknownOptions(input: Record<string, unknown>, problems: Problems): void {
  for (const key of Object.keys(input)) {
    if (KNOWN_TYPED_OPTIONS.includes(key)) continue;
    const nearest = closest(key, KNOWN_TYPED_OPTIONS);
    problems.issues.push({
      path: typedPath(key),
      message: `unknown option${nearest === undefined ? '' : `; did you mean ${nearest.candidate}?`} Options are listed by describeConfig()`,
    });
  }
}

/** Flink's older boolean maps onto the failure count: true = 0 tolerated, false = unlimited. */
function withFailOnCheckpointingErrors(
  typed: Sourced | undefined,
  failOn: unknown,
  problems: Problems,
): Sourced | undefined {
  if (failOn === undefined) return typed;
  const path = typedPath('failOnCheckpointingErrors');
  if (typeof failOn !== 'boolean') {
    problems.issues.push({ path, message: `expected true or false, found ${show(failOn)}` });
    return typed;
  }
  const mapped: Sourced = { value: failOn ? 0 : FLINK_UNLIMITED, path };
  if (typed !== undefined && typed.value !== mapped.value) {
    problems.issues.push({
      path: typed.path,
      message: `${show(typed.value)} disagrees with ${path} = ${failOn} (which means ${failOn ? '0' : 'unlimited'} tolerable failures); keep one of them`,
    });
  }
  return typed ?? mapped;
}

function requireValue(sourced: Sourced, option: string, howTo: string, problems: Problems): void {
  // An invalid value was already reported where it was given; only report true absence.
  const spec = CHECKPOINTING_OPTIONS.find((s) => s.option === option);
  const paths = [typedPath(option), ...(spec?.flinkKeys ?? []).map(flinkPath)];
  const reported = problems.issues.some((issue) => paths.includes(issue.path));
  if (sourced.value === undefined && !reported) {
    problems.issues.push({ path: typedPath(option), message: `required but missing; ${howTo}` });
  }
}

function checkMinPauseWithConcurrency(minPause: Sourced, maxConcurrent: Sourced, problems: Problems): void {
  if (Number(minPause.value) > 0 && Number(maxConcurrent.value) > 1) {
    const pausePath = pathOf(minPause, 'minPauseMs');
    const concurrentPath = pathOf(maxConcurrent, 'maxConcurrentCheckpoints');
    problems.issues.push({
      path: pausePath,
      message: `${show(minPause.value)} cannot be combined with ${concurrentPath} = ${show(maxConcurrent.value)}: a minimum pause between checkpoints implies at most one checkpoint in progress. Set ${pausePath} to 0 or ${concurrentPath} to 1`,
    });
  }
}

/**
 * A retained or pending checkpoint holds its ack slot (core/checkpoint/ack-slots.ts):
 * with every slot held, no checkpoint could be triggered. One slot stays free for the next.
 */
function checkAckSlots(retained: Sourced, maxConcurrent: Sourced, problems: Problems): void {
  const held = Number(retained.value ?? 1) + Number(maxConcurrent.value ?? 1);
  if (Number.isInteger(held) && held > ACK_SLOTS - 1) {
    const retainedPath = pathOf(retained, 'numRetainedCheckpoints');
    problems.issues.push({
      path: retainedPath,
      message: `${show(retained.value)} plus ${pathOf(maxConcurrent, 'maxConcurrentCheckpoints')} = ${show(maxConcurrent.value ?? 1)} is ${held}, expected at most ${ACK_SLOTS - 1}: each retained or pending checkpoint keeps one of ${ACK_SLOTS} ack slots and the next trigger needs a free one. Keep fewer checkpoints (take savepoints for long-lived copies: they are not limited)`,
    });
  }
}

function checkParallelizationFactor(mode: Sourced, factor: Sourced, problems: Problems): void {
  if (mode.value === 'EXACTLY_ONCE' && typeof factor.value === 'number' && factor.value !== 1) {
    problems.issues.push({
      path: pathOf(factor, 'parallelizationFactor'),
      message: `expected 1 in EXACTLY_ONCE mode, found ${factor.value}: with several concurrent batches per shard, records of one shard are applied out of order and the shard's durable cursor can no longer prove which records were applied, so a replay could apply a record twice or skip it. Set parallelizationFactor to 1, or ${pathOf(mode, 'mode')} to AT_LEAST_ONCE`,
    });
  }
}

/** Savepoints are never deleted, but everything under <checkpointsDir>/<jobId> is garbage collected. */
function checkSavepointsOutsideCheckpoints(
  jobId: Sourced,
  checkpointsDir: Sourced,
  savepointsDir: Sourced,
  problems: Problems,
): void {
  if (typeof jobId.value !== 'string' || typeof checkpointsDir.value !== 'string') return;
  if (typeof savepointsDir.value !== 'string') return;
  const checkpointArea = `${checkpointsDir.value}/${jobId.value}`;
  const savepointArea = `${savepointsDir.value}/${jobId.value}`;
  if (isSameOrBelow(savepointArea, checkpointArea) || isSameOrBelow(checkpointArea, savepointArea)) {
    problems.issues.push({
      path: pathOf(savepointsDir, 'savepointsDir'),
      message: `savepoints of job ${show(jobId.value)} would go to ${savepointArea}, overlapping its checkpoint directory ${checkpointArea}, whose subsumed and orphaned files are deleted automatically; savepoints must never be. Set savepointsDir to a directory outside ${checkpointArea}`,
    });
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
