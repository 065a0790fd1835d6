import type { ExternalizedCheckpointCleanup, RestartStrategy } from '../config/index.js';
import type { CheckpointStore } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
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
}

/** The job's configuration the actions need (from the compiled CheckpointConfig and the wiring). */
export interface ControlSettings {
  jobId: string;
  /** Bucket-relative key prefix of checkpoints.dir. */
  checkpointsPrefix: string;
  /** Bucket-relative key prefix of savepoints.dir. */
  savepointsPrefix: string;
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
