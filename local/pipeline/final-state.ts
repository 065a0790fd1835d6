import { tryCompleteCheckpoint } from '../../core/checkpoint/checkpoint-completion.js';
import type { ShardAck } from '../../core/ports/checkpoint-store.js';
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
