import type { CheckpointStore } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { OutputSink } from '../ports/output-sink.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import type { StreamReader, StreamRecord } from '../ports/stream.js';
import type { SnapshotCompression } from '../snapshot/index.js';
import type { StateSnapshotContent, StateSnapshotView } from '../state/snapshot-content.js';
import type { FaultInjector } from './crash-points.js';
import type { ProcessorCoordinationOptions } from './processor-coordination.js';

/** What the protocol needs from an operator instance (core/state's OperatorRuntime). */
export interface ShardRuntime {
  processRecord(record: StreamRecord): void;
  advanceProcessingTime(nowMs: number): void;
  captureSnapshot(): StateSnapshotContent;
  /** The state for encodeSnapshot without copying it: encode at once, before any other call. */
  snapshotView(): StateSnapshotView;
  restore(content: StateSnapshotContent): void;
  /** Where ctx.output(value) goes. */
  setOutputHandler(handler: ((value: unknown, key: string) => void) | undefined): void;
}

export type CheckpointingMode = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';

export interface ProcessorSettings {
  jobId: string;
  operatorName: string;
  mode: CheckpointingMode;
  /** Snapshots smaller than this are inlined in the DynamoDB ack. */
  memoryThresholdBytes: number;
  compression: SnapshotCompression;
  /** Identifies this container in cursor items (diagnosis only). */
  containerId: string;
}

export interface ProcessorDependencies {
  settings: ProcessorSettings;
  store: CheckpointStore;
  snapshots: SnapshotStore;
  reader: StreamReader;
  clock: Clock;
  createRuntime: (shardId: string) => ShardRuntime;
  /** Where ctx.output results go; without one they are dropped after their checkpoint. */
  sink?: OutputSink;
  faults?: FaultInjector;
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** Run coordinator steps after batches (the processors drive checkpoints); absent: the supervisor alone does. */
  coordination?: ProcessorCoordinationOptions;
}

export interface BatchOutcome {
  shardId: string;
  /** Data records applied to state from this batch. */
  applied: number;
  /** Records of this batch already part of the state (retried delivery). */
  skipped: number;
  /** Records re-read from the stream to rebuild state (cold path). */
  replayed: number;
  /** Barriers of this job seen, and acks actually written. */
  barriers: number;
  acksWritten: number;
  /** Barriers of other jobs, ignored. */
  foreignBarriers: number;
  coldStart: boolean;
  /** With partial batch responses: the first record that failed; it and the rest are retried. */
  failedSequenceNumber?: string;
  /** The error of that record (for the restart strategy). */
  failure?: unknown;
  /** Outputs written to the sink by this invocation. */
  outputsWritten: number;
  /** The cursor position committed by this invocation. */
  committedSequenceNumber?: string;
}
