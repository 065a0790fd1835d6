import type { AwsClients } from '../core/aws/clients.js';
import type { CheckpointRecord, CheckpointStore } from '../core/ports/checkpoint-store.js';
import { clickCounter } from '../core/state/examples/click-counter.js';
import { awsParts } from '../local/pipeline/parts.js';
import { provisionResources, uniqueNames } from '../local/resources.js';
import { runLive } from './live-pipeline.js';
import { benchConfig } from './overhead.js';
import { percentile, round } from './stats.js';
import { ChunkedClickProducer } from './workload.js';

export interface CheckpointLatencyOptions {
  shardCounts: number[];
  runMs: number;
  intervalMs: number;
  recordsPerSecond: number;
  users: number;
  batchSize: number;
}

export interface CheckpointLatencyResult {
  shards: number;
  checkpoints: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Trigger-to-completed time of every checkpoint completed during a wall-clock run on
 * the emulators (processors polling continuously, the coordinator polling for acks
 * every 250 ms), read from the COMPLETED transitions the coordinator writes.
 */
export async function measureCheckpointLatency(
  clients: AwsClients,
  options: CheckpointLatencyOptions,
  log: (line: string) => void = () => undefined,
): Promise<CheckpointLatencyResult[]> {
  const results: CheckpointLatencyResult[] = [];
  for (const shards of options.shardCounts) {
    const names = uniqueNames(`bench-ckpt-${shards}`);
    await provisionResources(clients, names, { shardCount: shards });
    const real = awsParts(clients, names);
    const latenciesMs: number[] = [];
    const parts = { ...real, store: observingCompletions(real.store, latenciesMs) };
    const producer = new ChunkedClickProducer(real.produce, options.users, shards, 200);
    let consumed = 0;
    const startMs = performance.now();
    await runLive({
      parts,
      batchSize: options.batchSize,
      maxContainers: shards,
      operator: clickCounter,
      config: benchConfig(`ckpt-${names.table}`, options.intervalMs),
      idlePollMs: 20,
      beforePoll: () =>
        producer.keepAhead(
          consumed,
          1,
          Math.ceil(((performance.now() - startMs) * options.recordsPerSecond) / 1_000),
        ),
      until: ({ records, elapsedMs }) => {
        consumed = records;
        return elapsedMs >= options.runMs;
      },
    });
    const result = {
      shards,
      checkpoints: latenciesMs.length,
      p50Ms: round(percentile(latenciesMs, 0.5), 0),
      p99Ms: round(percentile(latenciesMs, 0.99), 0),
    };
    log(
      `  checkpoint latency ${shards} shards: ${result.checkpoints} checkpoints, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
    );
    results.push(result);
  }
  return results;
}

/**
 * Passes everything through; records completedAtMs - triggerTimeMs of each
 * completion the coordinator writes (a periodic checkpoint's in its ledger write,
 * a savepoint's as a transition of its own item).
 */
function observingCompletions(store: CheckpointStore, latenciesMs: number[]): CheckpointStore {
  const observe = (record: CheckpointRecord) => {
    if (record.status === 'COMPLETED' && record.completedAtMs !== undefined) {
      latenciesMs.push(record.completedAtMs - record.triggerTimeMs);
    }
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === 'transitionCheckpoint' && typeof value === 'function') {
        return async (...args: Parameters<CheckpointStore['transitionCheckpoint']>) => {
          const record = await value.apply(target, args);
          observe(record);
          return record;
        };
      }
      if (property === 'commitLedger' && typeof value === 'function') {
        return async (...args: Parameters<CheckpointStore['commitLedger']>) => {
          const [, base, change] = args;
          const ledger = await value.apply(target, args);
          for (const record of change.put ?? []) {
            const before = base.checkpoints.find((r) => r.checkpointId === record.checkpointId);
            if (before?.status !== 'COMPLETED') observe(record);
          }
          return ledger;
        };
      }
      return value;
    },
  });
}
