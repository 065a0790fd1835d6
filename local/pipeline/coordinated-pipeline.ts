import {
  type CoordinatorSettings,
  DEFAULT_COORDINATOR_SETTINGS,
  runCoordinatorWindow,
  type WindowStatistics,
} from '../../core/checkpoint/checkpoint-coordinator.js';
import {
  type CoordinatorExecutionState,
  initialExecutionState,
} from '../../core/checkpoint/coordinator-execution.js';
import { checkpointPrefix, jobPrefix } from '../../core/checkpoint/storage-location.js';
import type { CheckpointConfig } from '../../core/config/index.js';
import type { OutputSink } from '../../core/ports/output-sink.js';
import type { FaultInjector } from '../../core/processing/crash-points.js';
import type { AnyOperatorDefinition } from '../../core/state/index.js';
import { createCoordinatorWindowHandler } from '../../functions/shared/coordinator-window-handler.js';
import { type EventSourceMappingOptions, EventSourceMappingSimulator } from '../esm/event-source-mapping.js';
import type { ShardSource } from '../esm/shard-source.js';
import {
  type CoordinatorRunResult,
  runCoordinatorStateMachine,
} from '../stepfunctions/coordinator-runner.js';
import type { FakeClock } from './fake-clock.js';
import type { PipelineParts, ProducedRecord } from './parts.js';
import { processorContainer } from './processor-container.js';
import { seededRandom } from './random.js';

export interface CoordinatedPipelineOptions {
  parts: PipelineParts;
  clock: FakeClock;
  operator: AnyOperatorDefinition;
  config: CheckpointConfig;
  checkpointsPrefix?: string;
  /** Records produced at every tick of simulated time (a steady workload). */
  produce?: (tick: number) => ProducedRecord[];
  /** Runs at every tick after production, before delivery (fault injection, operator actions). */
  onTick?: (tick: number) => Promise<void> | void;
  settings?: Partial<CoordinatorSettings>;
  /** Crash injection in the processors (new containers after each crash). */
  faults?: FaultInjector;
  sink?: OutputSink;
  /** Event source mapping knobs (batch size, cold starts, seeded randomness). */
  esm?: Partial<Pick<EventSourceMappingOptions, 'batchSize' | 'coldStartRate' | 'random' | 'onError'>>;
  /**
   * Whether the processors run coordinator steps after their batches (default true,
   * as deployed); false: the supervisor alone triggers and completes.
   */
  processorsDrive?: boolean;
  /** The coordinator's ports, for the supervisor and the processors' steps alike (e.g. request-counting wrappers); default: the pipeline's. */
  coordinatorPorts?: Pick<PipelineParts, 'store' | 'snapshots' | 'writer'>;
  /** Simulated time between two polls of the event source mapping while the coordinator waits (default: ackPollMs). */
  pollIntervalMs?: number;
}

/**
 * The whole checkpointing loop in simulated time: the coordinator's window runs
 * with a sleep that advances a fake clock and lets the event source mapping
 * deliver (processors ack barriers meanwhile). Shards can be stalled to model a
 * processor that never acknowledges.
 */
export class CoordinatedPipeline {
  readonly esm: EventSourceMappingSimulator;
  readonly stats: WindowStatistics = { triggered: 0, completed: 0, aborted: 0, subsumed: 0 };
  readonly stalledShards = new Set<string>();
  readonly settings: CoordinatorSettings;
  readonly checkpointsPrefix: string;
  readonly coordinatorPorts: Pick<PipelineParts, 'store' | 'snapshots' | 'writer'>;
  readonly pollIntervalMs: number;
  state: CoordinatorExecutionState;
  private ticks = 0;

  constructor(private readonly options: CoordinatedPipelineOptions) {
    const { parts, config } = options;
    const prefix = options.checkpointsPrefix ?? 'checkpoints';
    this.checkpointsPrefix = prefix;
    const processorsDrive = options.processorsDrive ?? true;
    this.settings = {
      ...DEFAULT_COORDINATOR_SETTINGS,
      supervisorIntervalMs: config.supervisorIntervalMs,
      // With no processor to leave the turn to, the supervisor triggers when due.
      ...(processorsDrive ? {} : { processorGraceMs: 0 }),
      ...options.settings,
      jobId: config.jobId,
      config,
      storagePrefixFor: (id) => checkpointPrefix(prefix, config.jobId, id).replace(/\/$/, ''),
      jobStoragePrefix: jobPrefix(prefix, config.jobId).replace(/\/$/, ''),
    };
    this.coordinatorPorts = options.coordinatorPorts ?? parts;
    // Without processor steps nothing happens between the supervisor's looks: a Wait is one tick.
    this.pollIntervalMs =
      processorsDrive && config.intervalMs !== undefined
        ? (options.pollIntervalMs ?? this.settings.ackPollMs)
        : Number.POSITIVE_INFINITY;
    const ports = this.coordinatorPorts;
    const coordination =
      processorsDrive && config.intervalMs !== undefined
        ? {
            deps: {
              store: ports.store,
              snapshots: ports.snapshots,
              writer: ports.writer,
              clock: options.clock,
            },
            settings: this.settings,
            stats: this.stats,
          }
        : undefined;
    const stalled = this.stalledShards;
    const source: ShardSource = {
      listShardIds: () => parts.source.listShardIds(),
      read: async (shardId, after, limit) =>
        stalled.has(shardId) ? [] : parts.source.read(shardId, after, limit),
    };
    this.esm = new EventSourceMappingSimulator({
      source,
      createContainer: processorContainer({
        parts,
        operator: options.operator,
        settings: {
          jobId: config.jobId,
          mode: config.mode,
          memoryThresholdBytes: config.memoryThresholdBytes,
          compression: config.snapshotCompression,
        },
        ...(options.faults ? { faults: options.faults } : {}),
        ...(options.sink ? { sink: options.sink } : {}),
        ...(coordination ? { coordination } : {}),
      }),
      maxConsecutiveErrors: 500,
      // Seeded unless the caller seeds it: with the fake clock, a run is then repeatable.
      random: seededRandom(1),
      ...options.esm,
    });
    this.state = initialExecutionState(config.jobId);
  }

  /** One step of simulated time: produce, then one poll of every shard. */
  async tick(ms: number): Promise<void> {
    this.options.clock.advance(ms);
    const tick = this.ticks++;
    const records = this.options.produce?.(tick) ?? [];
    if (records.length > 0) await this.options.parts.produce(records);
    await this.options.onTick?.(tick);
    await this.esm.pollOnce();
  }

  /** Lets `ms` of simulated time pass as the state machine's Wait: the processors keep polling. */
  async wait(ms: number): Promise<void> {
    const end = this.options.clock.nowMs() + ms;
    while (this.options.clock.nowMs() < end) {
      await this.tick(Math.min(this.pollIntervalMs, end - this.options.clock.nowMs()));
    }
  }

  /** Runs RunWindow once, for at most `windowMs` of simulated time. */
  async runWindow(windowMs: number): Promise<CoordinatorExecutionState> {
    const { clock } = this.options;
    const ports = this.coordinatorPorts;
    this.state = await runCoordinatorWindow(
      {
        store: ports.store,
        snapshots: ports.snapshots,
        writer: ports.writer,
        clock,
        sleep: (ms) => this.tick(ms),
      },
      this.settings,
      this.state,
      clock.nowMs() + windowMs,
      this.stats,
    );
    return this.state;
  }

  /** Runs windows (and the waits the state machine would do) until `durationMs` of simulated time passed. */
  async runFor(durationMs: number, windowMs = 60_000): Promise<void> {
    const end = this.options.clock.nowMs() + durationMs;
    const clock = this.options.clock;
    for (let i = 0; i < 100_000 && clock.nowMs() < end; i++) {
      const before = clock.nowMs();
      const state = await this.runWindow(Math.min(windowMs, end - before));
      if (state.status !== 'CONTINUE') return;
      const remaining = Math.max(0, end - clock.nowMs());
      const sleepMs = (state.sleepSeconds ?? 0) * 1_000;
      if (sleepMs > 0) await this.wait(Math.min(sleepMs, remaining));
      else if (clock.nowMs() === before) await this.tick(Math.min(this.settings.ackPollMs, remaining));
    }
  }
}

export interface StateMachineRunOptions {
  durationMs: number;
  /** Called with every RunWindow result (for progress lines and assertions). */
  onWindow?: (state: CoordinatorExecutionState) => void;
  /** Stops the run (Ctrl-C): the executor aborts, the window in flight ends at its next tick. */
  signal?: AbortSignal;
  /** The coordinator's own ports (e.g. request-counting wrappers); default: the pipeline's. */
  coordinatorPorts?: Pick<PipelineParts, 'store' | 'snapshots' | 'writer'>;
}

export interface StateMachineRunResult extends CoordinatorRunResult {
  /** Simulated time spent inside RunWindow tasks (Lambda billed duration). */
  runWindowMs: number;
  runWindowCalls: number;
  /** Simulated time the run covered (>= durationMs). */
  simulatedMs: number;
}

/**
 * The same loop through the real state machine definition on the local executor,
 * with the real RunWindow task handler: waits advance the fake clock.
 */
export async function runPipelineStateMachine(
  pipeline: CoordinatedPipeline,
  /** Unused since the pipeline holds the coordinator's ports; kept for the callers. */
  _parts: PipelineParts,
  clock: FakeClock,
  options: StateMachineRunOptions,
): Promise<StateMachineRunResult> {
  const startMs = clock.nowMs();
  const endMs = startMs + options.durationMs;
  const ports = options.coordinatorPorts ?? pipeline.coordinatorPorts;
  let runWindowMs = 0;
  let runWindowCalls = 0;
  const config = pipeline.settings.config as CheckpointConfig;
  const handler = createCoordinatorWindowHandler({
    wiring: () => ({
      config,
      store: ports.store,
      snapshots: ports.snapshots,
      writer: ports.writer,
      clock,
      checkpointsPrefix: pipeline.checkpointsPrefix,
    }),
    sleep: (ms) => pipeline.tick(ms),
    settings: {
      windowMs: pipeline.settings.windowMs,
      ackPollMs: pipeline.settings.ackPollMs,
      processorGraceMs: pipeline.settings.processorGraceMs,
    },
    log: () => undefined,
    stats: pipeline.stats,
  });
  const result = await runCoordinatorStateMachine({
    input: pipeline.state,
    ...(options.signal ? { signal: options.signal } : {}),
    waitTimeScale: 0,
    onWait: (wait) => pipeline.wait(Math.min(wait.seconds * 1_000, Math.max(0, endMs - clock.nowMs()))),
    runWindow: async (input) => {
      if (clock.nowMs() >= endMs) return { ...input, status: 'STOPPED', reason: 'simulation ended' };
      // Each invocation gets a real Lambda's 15 minutes; the run may overshoot
      // `durationMs` by part of a window, so callers scale by `simulatedMs`.
      const remainingMs = 900_000;
      const startedMs = clock.nowMs();
      const next = await handler(input, { getRemainingTimeInMillis: () => remainingMs });
      runWindowMs += clock.nowMs() - startedMs;
      runWindowCalls++;
      pipeline.state = next;
      options.onWindow?.(next);
      return next;
    },
  });
  return { ...result, runWindowMs, runWindowCalls, simulatedMs: clock.nowMs() - startMs };
}
