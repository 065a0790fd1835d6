import type { AwsClients } from '../core/aws/clients.js';
import { tryCompleteCheckpoint } from '../core/checkpoint/checkpoint-completion.js';
import { triggerCheckpoint } from '../core/checkpoint/checkpoint-trigger.js';
import { checkpointPrefix } from '../core/checkpoint/storage-location.js';
import { systemClock } from '../core/ports/clock.js';
import type { SnapshotStore } from '../core/ports/snapshot-store.js';
import { CheckpointedProcessor } from '../core/processing/checkpointed-processor.js';
import { clickCounter } from '../core/state/examples/click-counter.js';
import { OperatorRuntime } from '../core/state/operator-runtime.js';
import { awsParts, type PipelineParts } from '../local/pipeline/parts.js';
import { provisionResources, uniqueNames } from '../local/resources.js';
import { benchConfig } from './overhead.js';
import { MB, round } from './stats.js';
import { ChunkedClickProducer } from './workload.js';

export interface RecoveryOptions {
  /** Records applied before the checkpoint (they make the state). */
  stateRecords: number;
  users: number;
  /** Records applied after the checkpoint: what a cold start replays. */
  replayRecords: number;
  batchSize: number;
}

export interface RecoveryResult {
  snapshotMb: number;
  replayedRecords: number;
  /** Cold start (first record of the batch in hand) to caught up (batch committed). */
  totalMs: number;
  downloadMs: number;
  /** Decode + SHA-256 check + restore into the runtime. */
  decodeMs: number;
  /** Replay through GetRecords + applying the batch + the commit. */
  replayMs: number;
}

/**
 * One shard on the emulators: a container applies `stateRecords`, a checkpoint is
 * taken and completed, the container applies `replayRecords` more and is lost; a
 * fresh container then gets the next batch and recovers (download, decode,
 * replay). The phases are timed at the ports and from the processor's log.
 */
export async function measureRecoveryTime(
  clients: AwsClients,
  options: RecoveryOptions,
): Promise<RecoveryResult> {
  const names = uniqueNames('bench-recovery');
  await provisionResources(clients, names, { shardCount: 1 });
  const parts = awsParts(clients, names);
  const shardId = (await parts.source.listShardIds())[0]!;
  const config = benchConfig(`recovery-${names.table}`, 10_000);
  const producer = new ChunkedClickProducer(parts.produce, options.users, 3, 500);
  let position: string | undefined;
  const first = container(parts, config.jobId);
  const consume = async (processor: CheckpointedProcessor, count: number) => {
    let applied = 0;
    while (applied < count) {
      const batch = await parts.source.read(shardId, position, options.batchSize);
      if (batch.length === 0) break;
      await processor.processBatch(shardId, batch);
      position = batch[batch.length - 1]!.sequenceNumber;
      applied += batch.length;
    }
  };
  const produce = async (count: number) => {
    const limit = producer.produced + count;
    while (producer.produced < limit) await producer.keepAhead(producer.produced, 1, limit);
  };

  await produce(options.stateRecords);
  await consume(first.processor, options.stateRecords);
  const deps = { store: parts.store, snapshots: parts.snapshots, writer: parts.writer, clock: systemClock };
  const checkpoint = await triggerCheckpoint(deps, {
    jobId: config.jobId,
    kind: 'CHECKPOINT',
    storagePrefixFor: (id) => checkpointPrefix('checkpoints', config.jobId, id).replace(/\/$/, ''),
  });
  await produce(options.replayRecords);
  await consume(first.processor, options.replayRecords + 1);
  const completion = await tryCompleteCheckpoint(deps, config.jobId, checkpoint.checkpointId);
  if (completion.status !== 'COMPLETED') {
    throw new Error(
      `recovery bench: checkpoint ${checkpoint.checkpointId} did not complete (${completion.status})`,
    );
  }

  await produce(options.batchSize);
  const batch = await parts.source.read(shardId, position, options.batchSize);
  const second = container(parts, config.jobId);
  const startMs = performance.now();
  const outcome = await second.processor.processBatch(shardId, batch);
  const endMs = performance.now();
  const restoredAtMs = second.events.get('shard-restored');
  if (second.download.endMs === undefined || restoredAtMs === undefined || !outcome.coldStart) {
    throw new Error('recovery bench: the fresh container did not restore from the snapshot');
  }
  return {
    snapshotMb: round(second.download.sizeBytes / MB, 2),
    replayedRecords: outcome.replayed,
    totalMs: round(endMs - startMs, 0),
    downloadMs: round(second.download.endMs - second.download.startMs!, 0),
    decodeMs: round(restoredAtMs - second.download.endMs, 0),
    replayMs: round(endMs - restoredAtMs, 0),
  };

  function container(p: PipelineParts, jobId: string) {
    const download: { startMs?: number; endMs?: number; sizeBytes: number } = { sizeBytes: 0 };
    const events = new Map<string, number>();
    const snapshots: SnapshotStore = {
      ...p.snapshots,
      get: async (ref) => {
        download.startMs = performance.now();
        const bytes = await p.snapshots.get(ref);
        download.endMs = performance.now();
        download.sizeBytes = bytes.byteLength;
        return bytes;
      },
      put: (key, bytes) => p.snapshots.put(key, bytes),
      delete: (keys) => p.snapshots.delete(keys),
      list: (prefix) => p.snapshots.list(prefix),
    };
    const processor = new CheckpointedProcessor({
      settings: {
        jobId,
        operatorName: clickCounter.name,
        mode: config.mode,
        memoryThresholdBytes: config.memoryThresholdBytes,
        compression: config.snapshotCompression,
        containerId: `bench-${Math.random().toString(36).slice(2)}`,
      },
      store: p.store,
      snapshots,
      reader: p.reader,
      clock: systemClock,
      createRuntime: (id) => new OperatorRuntime(clickCounter, { shardId: id, clock: systemClock }),
      log: (event) => events.set(event, performance.now()),
    });
    return { processor, download, events };
  }
}
