import type { ExternalizedCheckpointCleanup, RestartStrategy } from '../config/index.js';
import type { CheckpointStore } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { EventSourceControl } from '../ports/event-source-control.js';
import type { SnapshotStore } from '../ports/snapshot-store.js';
import type { StreamWriter } from '../ports/stream.js';
import type { ControlAction } from './control-request.js';

export interface ControlDependencies {
  store: CheckpointStore;
  snapshots: SnapshotStore;
  writer: StreamWriter;
  clock: Clock;
  /** Between savepoint polls; injected so tests drive the processors instead of waiting. */
  sleep: (ms: number) => Promise<void>;
  /** The processor's event source mappings: a restore re-enables them (a FAILED job had them disabled). */
  eventSource?: EventSourceControl;
}

/** The job's configuration the actions need (from the compiled CheckpointConfig and the wiring). */
export interface ControlSettings {
  jobId: string;
  /** Bucket-relative key prefix of checkpoints.dir. */
  checkpointsPrefix: string;
  /** Bucket-relative key prefix of savepoints.dir. */
  savepointsPrefix: string;
  /** The state bucket: a savepointPath given as s3:// must be in it. */
  bucket?: string;
  externalizedCheckpointCleanup: ExternalizedCheckpointCleanup;
  preferCheckpointForRecovery: boolean;
  restartStrategy: RestartStrategy;
}

/** What the console shows for a done action: plain JSON, always with a one-line summary (refusals: ControlFailure). */
export interface ControlResultBase {
  ok: true;
  action: ControlAction;
  summary: string;
}
