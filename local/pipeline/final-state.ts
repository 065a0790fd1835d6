import { tryCompleteCheckpoint } from '../../core/checkpoint/checkpoint-completion.js';
import { MemoryOutputSink } from '../../core/memory/memory-output-sink.js';
import type { ShardAck } from '../../core/ports/checkpoint-store.js';
import type { OutputRecord } from '../../core/ports/output-sink.js';
import { compareSequenceNumbers } from '../../core/ports/stream.js';
import { isBarrierRecord } from '../../core/processing/barrier.js';
import { readVerifiedSnapshot } from '../../core/processing/shard-recovery.js';
import type { ProcessorDependencies } from '../../core/processing/types.js';
import { decodeSnapshot } from '../../core/snapshot/index.js';
import { type AnyOperatorDefinition, OperatorRuntime } from '../../core/state/index.js';
import type { StateSnapshotContent } from '../../core/state/snapshot-content.js';
import type { PipelineParts } from './parts.js';

/** Each shard's state in a completed checkpoint, read and verified like a restore would. */
export async function checkpointState(
  parts: PipelineParts,
  jobId: string,
  checkpointId: number,
): Promise<Map<string, StateSnapshotContent>> {
  const acks: ShardAck[] = await parts.store.listAcks(jobId, checkpointId);
  const deps = { snapshots: parts.snapshots } as ProcessorDependencies;
  const states = new Map<string, StateSnapshotContent>();
  for (const ack of acks) {
    states.set(ack.shardId, decodeSnapshot(await readVerifiedSnapshot(deps, ack)).content);
  }
  return states;
}

/**
 * The failure-free run: every data record of the shard, in order, through a fresh
 * operator with no framework at all. What exactly-once must reproduce.
 */
export async function referenceState(
  parts: PipelineParts,
  operator: AnyOperatorDefinition,
  shardId: string,
  outputIds?: Map<string, unknown>,
): Promise<StateSnapshotContent> {
  const runtime = new OperatorRuntime(operator, { shardId, clock: parts.clock });
  // Output ids as the framework assigns them: <shard>/<origin record>/<index>.
  let origin = '';
  let index = 0;
  runtime.setOutputHandler((value) => outputIds?.set(`${shardId}/${origin}/${index++}`, value));
  let after: string | undefined;
  for (let page = 0; page < 100_000; page++) {
    const records = await parts.source.read(shardId, after, 10_000);
    if (records.length === 0) break;
    for (const record of records) {
      if (isBarrierRecord(record.data)) continue;
      origin = record.sequenceNumber;
      index = 0;
      runtime.processRecord(record);
    }
    after = records[records.length - 1]!.sequenceNumber;
  }
  return runtime.captureSnapshot();
}

/**
 * The recomputation of a restore with a start position: `start` (a savepoint's
 * state), then every data record of the shard after `afterSequenceNumber` (all
 * of them when undefined: trim_horizon), through a fresh operator, no framework.
 */
export async function replayOnto(
  parts: PipelineParts,
  operator: AnyOperatorDefinition,
  shardId: string,
  start: StateSnapshotContent,
  afterSequenceNumber?: string,
): Promise<StateSnapshotContent> {
  const runtime = new OperatorRuntime(operator, { shardId, clock: parts.clock });
  runtime.restore(start);
  runtime.setOutputHandler(() => {});
  let after = afterSequenceNumber;
  for (let page = 0; page < 100_000; page++) {
    const records = await parts.source.read(shardId, after, 10_000);
    if (records.length === 0) break;
    for (const record of records) if (!isBarrierRecord(record.data)) runtime.processRecord(record);
    after = records[records.length - 1]!.sequenceNumber;
  }
  return runtime.captureSnapshot();
}

/** Order-insensitive, comparable form of a state (keys sorted). */
export function canonicalState(content: StateSnapshotContent): string {
  const keyed = Object.fromEntries(
    Object.keys(content.keyed)
      .sort()
      .map((name) => [
        name,
        [...(content.keyed[name] ?? [])].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
      ]),
  );
  return JSON.stringify({
    keyed,
    operator: content.operator,
    timers: content.timers,
    watermarkMs: content.watermarkMs,
  });
}

export { tryCompleteCheckpoint };

/**
 * A sink that records every write and, when `checkTwoPhase`, counts outputs released
 * early: an EXACTLY_ONCE output may leave only once a completed checkpoint's barrier
 * on its shard lies after the record that produced it.
 */
export function twoPhaseCheckingSink(parts: PipelineParts, jobId: string, checkTwoPhase: boolean) {
  const counts = { releasedEarly: 0 };
  const sink = new MemoryOutputSink(async (records) => {
    if (!checkTwoPhase) return;
    const latest = (await parts.store.getJob(jobId))?.latestCheckpointId;
    for (const record of records) {
      const ack = latest === undefined ? undefined : await parts.store.getAck(jobId, latest, record.shardId);
      const origin = record.id.split('/')[1] ?? '';
      if (!ack || !/^\d+$/.test(origin) || compareSequenceNumbers(origin, ack.sequenceNumber) > 0) {
        counts.releasedEarly++;
      }
    }
  });
  return { sink, counts };
}

export interface InputVerdict {
  mismatchedShards: string[];
  /** Clicks per user missing from / beyond the independent count of the input. */
  lost: number;
  duplicated: number;
  /** Outputs of the failure-free run, and how the sink's writes compare with them. */
  expectedOutputs: number;
  missingOutputs: number;
  unexpectedOutputs: number;
}

/**
 * Compares a completed checkpoint with the input: each shard's state against the
 * failure-free recomputation, the click counts against the producer's own tally,
 * and (when given) the sink's writes against the outputs the recomputation emits.
 */
export async function verifyAgainstInput(
  parts: PipelineParts,
  operator: AnyOperatorDefinition,
  jobId: string,
  checkpointId: number,
  expectedClicks: Map<string, { clicks: number }>,
  writes: OutputRecord[] = [],
): Promise<InputVerdict> {
  const mismatchedShards: string[] = [];
  const expectedOutputs = new Map<string, unknown>();
  const actual = new Map<string, number>();
  for (const [shardId, content] of await checkpointState(parts, jobId, checkpointId)) {
    const reference = await referenceState(parts, operator, shardId, expectedOutputs);
    if (canonicalState(content) !== canonicalState(reference)) mismatchedShards.push(shardId);
    for (const [user, clicks] of content.keyed.clicks ?? []) {
      actual.set(user, (actual.get(user) ?? 0) + Number(clicks));
    }
  }
  let lost = 0;
  let duplicated = 0;
  for (const [user, e] of expectedClicks) {
    const got = actual.get(user) ?? 0;
    if (got < e.clicks) lost += e.clicks - got;
    if (got > e.clicks) duplicated += got - e.clicks;
  }
  for (const [user, got] of actual) if (!expectedClicks.has(user)) duplicated += got;
  const written = new Map<string, unknown>();
  for (const w of writes) written.set(w.id, w.value);
  return {
    mismatchedShards,
    lost,
    duplicated,
    expectedOutputs: expectedOutputs.size,
    missingOutputs: [...expectedOutputs.keys()].filter((id) => !written.has(id)).length,
    unexpectedOutputs: [...written].filter(
      ([id, value]) =>
        !expectedOutputs.has(id) || JSON.stringify(expectedOutputs.get(id)) !== JSON.stringify(value),
    ).length,
  };
}
