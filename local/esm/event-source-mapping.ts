import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { toKinesisEvent } from '../../core/middy/kinesis-event.js';
import { compareSequenceNumbers, type StreamRecord } from '../../core/ports/stream.js';
import { lambdaContext } from './lambda-context.js';
import type { ShardSource } from './shard-source.js';

export type KinesisHandler = (event: KinesisStreamEvent, context: Context) => Promise<unknown>;

export interface EventSourceMappingOptions {
  source: ShardSource;
  /** A fresh handler instance = a new Lambda container (cold start). */
  createContainer: (containerId: string) => KinesisHandler;
  batchSize?: number;
  reportBatchItemFailures?: boolean;
  bisectBatchOnFunctionError?: boolean;
  /** Consecutive failed invocations of one shard before the simulator gives up (bounded loops). */
  maxConsecutiveErrors?: number;
  /** Warm containers kept at most; a cold start beyond it reclaims an idle one, as Lambda does. */
  maxContainers?: number;
  /**
   * Which warm container an invocation lands on: 'any' free one, at random (Lambda
   * promises nothing more), or 'shard': the one that last ran this shard when it
   * is free (the best case for in-memory state; benchmarks use it). Default 'any'.
   */
  containerAffinity?: 'any' | 'shard';
  /** Probability that an invocation lands on a brand-new container. */
  coldStartRate?: number;
  /** Seeded randomness for container choice. */
  random?: () => number;
  /** Whether an error killed the container (its memory is gone) or was a handled throw. */
  killsContainer?: (error: unknown) => boolean;
  functionName?: string;
  /** Called with every failed invocation's error (logging, diagnosis). */
  onError?: (error: unknown, shardId: string) => void;
  eventSourceArn?: string;
  timeoutMs?: number;
}

export interface EventSourceMappingStats {
  invocations: number;
  failedInvocations: number;
  partialFailures: number;
  bisections: number;
  coldStarts: number;
  deliveredRecords: number;
  /** Failed invocations by error reason (CheckpointError reason, else the error's name). */
  errors: Record<string, number>;
}

interface ShardPoller {
  shardId: string;
  /** Last sequence number acknowledged by a successful invocation. */
  position: string | undefined;
  /** Batches waiting for a retry (a failed batch, or the halves of a bisected one). */
  retries: StreamRecord[][];
  consecutiveErrors: number;
}

interface Container {
  id: string;
  handler: KinesisHandler;
  busy: boolean;
  /** The shard of its last invocation (for containerAffinity 'shard'). */
  lastShardId?: string;
}

/**
 * Behaves like Lambda's Kinesis event source mapping: one in-flight invocation
 * per shard, in order; a failed batch is retried (bisected when enabled) until
 * it succeeds; ReportBatchItemFailures resumes from the first failed record;
 * invocations land on warm containers when one is free, else a cold one.
 */
export class EventSourceMappingSimulator {
  readonly stats: EventSourceMappingStats = {
    invocations: 0,
    failedInvocations: 0,
    partialFailures: 0,
    bisections: 0,
    coldStarts: 0,
    deliveredRecords: 0,
    errors: {},
  };
  private readonly pollers = new Map<string, ShardPoller>();
  private readonly containers: Container[] = [];
  private containerCounter = 0;
  private readonly options: Required<Omit<EventSourceMappingOptions, 'random'>> & { random: () => number };

  constructor(options: EventSourceMappingOptions) {
    this.options = {
      batchSize: 100,
      reportBatchItemFailures: true,
      bisectBatchOnFunctionError: true,
      maxConsecutiveErrors: 1_000,
      coldStartRate: 0,
      containerAffinity: 'any',
      maxContainers: 8,
      random: Math.random,
      killsContainer: () => true,
      onError: () => undefined,
      functionName: 'processor',
      eventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/local',
      timeoutMs: 60_000,
      ...options,
    };
  }

  /** Polls every shard once, concurrently (one invocation per shard). Returns records acknowledged. */
  async pollOnce(): Promise<number> {
    for (const shardId of await this.options.source.listShardIds()) {
      if (!this.pollers.has(shardId)) {
        this.pollers.set(shardId, { shardId, position: undefined, retries: [], consecutiveErrors: 0 });
      }
    }
    const results = await Promise.all([...this.pollers.values()].map((p) => this.invokeShard(p)));
    return results.reduce((a, b) => a + b, 0);
  }

  /** Polls until every shard is consumed to its current end and no retry is pending. */
  async drain(maxRounds = 100_000): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      const progressed = await this.pollOnce();
      const pending = [...this.pollers.values()].some((p) => p.retries.length > 0);
      if (progressed === 0 && !pending) return;
    }
    throw new Error(`event source mapping did not drain within ${maxRounds} rounds`);
  }

  position(shardId: string): string | undefined {
    return this.pollers.get(shardId)?.position;
  }

  private async invokeShard(poller: ShardPoller): Promise<number> {
    const batch =
      poller.retries.shift() ??
      (await this.options.source.read(poller.shardId, poller.position, this.options.batchSize));
    if (batch.length === 0) return 0;
    const container = this.acquireContainer(poller.shardId);
    this.stats.invocations++;
    try {
      const context = lambdaContext(
        this.options.functionName,
        this.options.timeoutMs,
        `req-${this.stats.invocations}`,
      );
      const response = await container.handler(toKinesisEvent(batch, this.options.eventSourceArn), context);
      poller.consecutiveErrors = 0;
      return this.acknowledge(poller, batch, response as KinesisStreamBatchResponse | undefined);
    } catch (error) {
      this.stats.failedInvocations++;
      const reason = (error as { reason?: string }).reason ?? (error as Error).name ?? 'Error';
      this.stats.errors[reason] = (this.stats.errors[reason] ?? 0) + 1;
      this.options.onError?.(error, poller.shardId);
      if (this.options.killsContainer(error)) this.removeContainer(container);
      if (++poller.consecutiveErrors > this.options.maxConsecutiveErrors) {
        throw new Error(
          `shard ${poller.shardId}: ${poller.consecutiveErrors} consecutive failed invocations; last error: ${error}`,
          { cause: error },
        );
      }
      if (this.options.bisectBatchOnFunctionError && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        poller.retries.unshift(batch.slice(0, half), batch.slice(half));
        this.stats.bisections++;
      } else {
        poller.retries.unshift(batch);
      }
      return 0;
    } finally {
      container.busy = false;
    }
  }

  private acknowledge(
    poller: ShardPoller,
    batch: StreamRecord[],
    response: KinesisStreamBatchResponse | undefined,
  ) {
    const failed = this.options.reportBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
    if (failed.length === 0) {
      poller.position = batch[batch.length - 1]!.sequenceNumber;
      this.stats.deliveredRecords += batch.length;
      return batch.length;
    }
    // Lambda resumes from the lowest reported sequence number; everything before it is done.
    this.stats.partialFailures++;
    const lowest = failed
      .map((f) => f.itemIdentifier)
      .reduce((a, b) => (compareSequenceNumbers(a, b) <= 0 ? a : b));
    const done = batch.filter((r) => compareSequenceNumbers(r.sequenceNumber, lowest) < 0);
    if (done.length > 0) poller.position = done[done.length - 1]!.sequenceNumber;
    // The rest is re-read from the stream; pending halves of a bisection are superseded.
    poller.retries = [];
    this.stats.deliveredRecords += done.length;
    return done.length;
  }

  private acquireContainer(shardId: string): Container {
    const free = this.containers.filter((c) => !c.busy);
    const cold = free.length === 0 || this.options.random() < this.options.coldStartRate;
    const sticky =
      this.options.containerAffinity === 'shard' ? free.find((c) => c.lastShardId === shardId) : undefined;
    const container = cold
      ? this.newContainer()
      : (sticky ?? free[Math.floor(this.options.random() * free.length)]!);
    container.busy = true;
    container.lastShardId = shardId;
    return container;
  }

  private newContainer(): Container {
    const idle = this.containers.find((c) => !c.busy);
    if (idle && this.containers.length >= this.options.maxContainers) this.removeContainer(idle);
    const id = `container-${++this.containerCounter}`;
    const container = { id, handler: this.options.createContainer(id), busy: false };
    this.containers.push(container);
    this.stats.coldStarts++;
    return container;
  }

  private removeContainer(container: Container): void {
    const index = this.containers.indexOf(container);
    if (index >= 0) this.containers.splice(index, 1);
  }
}
