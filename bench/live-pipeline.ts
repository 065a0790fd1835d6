import {
  DEFAULT_COORDINATOR_SETTINGS,
  runCoordinatorWindow,
  type WindowStatistics,
} from '../core/checkpoint/checkpoint-coordinator.js';
import { initialExecutionState } from '../core/checkpoint/coordinator-execution.js';
import { checkpointPrefix, jobPrefix } from '../core/checkpoint/storage-location.js';
import type { CheckpointConfig } from '../core/config/index.js';
import { systemClock } from '../core/ports/clock.js';
import type { ProcessorDependencies } from '../core/processing/types.js';
import type { AnyOperatorDefinition } from '../core/state/index.js';
import { EventSourceMappingSimulator, type KinesisHandler } from '../local/esm/event-source-mapping.js';
import type { PipelineParts } from '../local/pipeline/parts.js';
import { processorContainer } from '../local/pipeline/processor-container.js';
import { yieldToEventLoop } from './stats.js';

export interface InvocationTiming {
  shardId: string;
  durationMs: number;
  records: number;
}

export interface LiveRunOptions {
  parts: PipelineParts;
  batchSize: number;
  /** A container factory (default: the framework's processor on `operator` with `config`). */
  createContainer?: (containerId: string) => KinesisHandler;
  operator?: AnyOperatorDefinition;
  /** The framework's processors' protocol events (with no createContainer). */
  log?: ProcessorDependencies['log'];
  /** With a config, the coordinator runs alongside on the wall clock. */
  config?: CheckpointConfig;
  /** Checked after every poll of all shards; the run ends when it returns true. */
  until: (progress: { records: number; elapsedMs: number }) => boolean;
  /** Called before each poll (keeps a producer ahead of the consumers). */
  beforePoll?: () => Promise<void> | void;
  onInvocation?: (timing: InvocationTiming) => void;
  /** Default 'shard': see EventSourceMappingOptions.containerAffinity. */
  containerAffinity?: 'any' | 'shard';
  maxContainers?: number;
  /** Wait this long after a poll that found nothing (Lambda's pollers idle at about 1 s; we use less). */
  idlePollMs?: number;
}

export interface LiveRunResult {
  records: number;
  elapsedMs: number;
  invocations: number;
  coldStarts: number;
  coordinator: WindowStatistics;
}

/**
 * The event-source-mapping simulator and, with checkpointing, the coordinator's
 * RunWindow loop running concurrently on the wall clock (real sleeps), the way they
 * run in AWS: processors poll their shards, the coordinator triggers every interval
 * and polls for acks every ackPollMs. Polled step by step (`poll`), so two
 * pipelines can take turns; `stop` ends the coordinator.
 */
export class LivePipeline {
  /** Records delivered so far (barriers included). */
  records = 0;
  readonly coordinator: WindowStatistics = { triggered: 0, completed: 0, aborted: 0, subsumed: 0 };
  private readonly esm: EventSourceMappingSimulator;
  private readonly stopper = new AbortController();
  private coordinatorError: unknown;

  constructor(options: Omit<LiveRunOptions, 'until' | 'beforePoll'>) {
    const { parts } = options;
    const createContainer =
      options.createContainer ??
      processorContainer({
        parts,
        operator: required(options.operator, 'operator'),
        settings: {
          jobId: required(options.config, 'config').jobId,
          mode: options.config!.mode,
          memoryThresholdBytes: options.config!.memoryThresholdBytes,
          compression: options.config!.snapshotCompression,
        },
        ...(options.log ? { log: options.log } : {}),
      });
    const timed = (containerId: string): KinesisHandler => {
      const handler = createContainer(containerId);
      if (!options.onInvocation) return handler;
      return async (event, context) => {
        const startMs = performance.now();
        const result = await handler(event, context);
        const shardId = event.Records[0]?.eventID.split(':')[0] ?? '';
        options.onInvocation!({
          shardId,
          durationMs: performance.now() - startMs,
          records: event.Records.length,
        });
        return result;
      };
    };
    this.esm = new EventSourceMappingSimulator({
      source: parts.source,
      createContainer: timed,
      batchSize: options.batchSize,
      containerAffinity: options.containerAffinity ?? 'shard',
      maxContainers: Math.max(8, options.maxContainers ?? 0),
      maxConsecutiveErrors: 50,
    });
    if (options.config) {
      // Not awaited at the end: once aborted, its next sleep parks it for good.
      runCoordinatorLive(parts, options.config, this.stopper.signal, this.coordinator).catch((error) => {
        if (!this.stopper.signal.aborted) this.coordinatorError = error;
      });
    }
  }

  /** One poll of every shard; returns the records delivered. Throws what the coordinator threw. */
  async poll(): Promise<number> {
    const delivered = await this.esm.pollOnce();
    this.records += delivered;
    if (this.coordinatorError !== undefined) throw this.coordinatorError;
    return delivered;
  }

  get invocations(): number {
    return this.esm.stats.invocations;
  }

  get coldStarts(): number {
    return this.esm.stats.coldStarts;
  }

  stop(): void {
    this.stopper.abort();
  }
}

/** Runs a LivePipeline until `until` says so. */
export async function runLive(options: LiveRunOptions): Promise<LiveRunResult> {
  const pipeline = new LivePipeline(options);
  const startMs = performance.now();
  try {
    for (;;) {
      await options.beforePoll?.();
      const delivered = await pipeline.poll();
      if (options.until({ records: pipeline.records, elapsedMs: performance.now() - startMs })) break;
      if (delivered === 0) await new Promise((r) => setTimeout(r, options.idlePollMs ?? 5));
      else await yieldToEventLoop();
    }
  } finally {
    pipeline.stop();
  }
  return {
    records: pipeline.records,
    elapsedMs: performance.now() - startMs,
    invocations: pipeline.invocations,
    coldStarts: pipeline.coldStarts,
    coordinator: { ...pipeline.coordinator },
  };
}

/** The coordinator's RunWindow loop on the wall clock; after `signal` aborts, its next sleep never ends. */
async function runCoordinatorLive(
  parts: PipelineParts,
  config: CheckpointConfig,
  signal: AbortSignal,
  stats: WindowStatistics,
): Promise<void> {
  const prefix = 'checkpoints';
  const settings = {
    ...DEFAULT_COORDINATOR_SETTINGS,
    jobId: config.jobId,
    config,
    storagePrefixFor: (id: number) => checkpointPrefix(prefix, config.jobId, id).replace(/\/$/, ''),
    jobStoragePrefix: jobPrefix(prefix, config.jobId).replace(/\/$/, ''),
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return;
      const onAbort = () => clearTimeout(timer);
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  let state = initialExecutionState(config.jobId);
  while (!signal.aborted) {
    const deadlineMs = Date.now() + settings.windowMs;
    state = await runCoordinatorWindow(
      { store: parts.store, snapshots: parts.snapshots, writer: parts.writer, clock: systemClock, sleep },
      settings,
      state,
      deadlineMs,
      stats,
    );
    if (state.status !== 'CONTINUE')
      throw new Error(`coordinator stopped: ${state.status} ${state.reason ?? ''}`);
    if ((state.sleepSeconds ?? 0) > 0) await sleep(state.sleepSeconds! * 1_000);
  }
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`runLive needs ${name} when no createContainer is given`);
  return value;
}
