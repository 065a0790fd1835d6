/**
 * The checkpointing options users write (`CheckpointingOptions`, all optional but
 * the job id) and the complete, validated, frozen object compiled from them at cold
 * start (`CheckpointConfig`). Names follow Flink's CheckpointConfig; units are in names.
 */
import type { FlinkValue } from './flink-values.js';

export type CheckpointingMode = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
export type ExternalizedCheckpointCleanup = 'RETAIN_ON_CANCELLATION' | 'DELETE_ON_CANCELLATION';
/** `memory`: heap state, whole snapshot per checkpoint. `disk`: embedded on-disk store in /tmp. */
export type StateBackendKind = 'memory' | 'disk';
/** Flink's backend names, accepted as aliases: the heap ones mean `memory`, `rocksdb` means `disk`. */
export type FlinkStateBackendName = 'hashmap' | 'jobmanager' | 'filesystem' | 'rocksdb';
export type SnapshotCompression = 'none' | 'zstd';

export interface FixedDelayRestartStrategy {
  readonly type: 'fixed-delay';
  readonly attempts: number;
  readonly delayMs: number;
}
export interface FailureRateRestartStrategy {
  readonly type: 'failure-rate';
  readonly maxFailuresPerInterval: number;
  readonly failureRateIntervalMs: number;
  readonly delayMs: number;
}
export interface ExponentialDelayRestartStrategy {
  readonly type: 'exponential-delay';
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly backoffMultiplier: number;
  readonly resetBackoffThresholdMs: number;
  readonly jitterFactor: number;
  readonly attemptsBeforeResetBackoff: number;
}
export interface NoRestartStrategy {
  readonly type: 'none';
}
export type RestartStrategy =
  | NoRestartStrategy
  | FixedDelayRestartStrategy
  | FailureRateRestartStrategy
  | ExponentialDelayRestartStrategy;
export type RestartStrategyType = RestartStrategy['type'];

/** A restart strategy as written: the type, and any of its parameters (the rest default). */
export type RestartStrategyOptions = RestartStrategy extends infer S
  ? S extends { type: infer T }
    ? { type: T } & Partial<Omit<S, 'type'>>
    : never
  : never;

export interface CheckpointingOptions {
  /** Names the job in S3 keys and DynamoDB items: [A-Za-z0-9._-]{1,64}. */
  jobId: string;
  /** `s3://bucket[/prefix]`; required, here or as `state.checkpoints.dir` in flinkConf. */
  checkpointsDir?: string;
  /** Absent: checkpointing disabled, as in Flink before `enableCheckpointing(n)`. */
  intervalMs?: number;
  mode?: CheckpointingMode;
  timeoutMs?: number;
  minPauseMs?: number;
  maxConcurrentCheckpoints?: number;
  tolerableFailedCheckpoints?: number;
  /** Flink's older switch: true = tolerableFailedCheckpoints 0, false = unlimited. */
  failOnCheckpointingErrors?: boolean;
  externalizedCheckpointCleanup?: ExternalizedCheckpointCleanup;
  preferCheckpointForRecovery?: boolean;
  numRetainedCheckpoints?: number;
  savepointsDir?: string;
  stateBackend?: StateBackendKind | FlinkStateBackendName;
  asyncSnapshots?: boolean;
  memoryThresholdBytes?: number;
  writeBufferSizeBytes?: number;
  incrementalCheckpoints?: boolean;
  localRecovery?: boolean;
  localRootDirs?: readonly string[];
  snapshotCompression?: SnapshotCompression;
  /** Checkpoint a pipeline with a feedback edge anyway (loop records in flight are in no checkpoint and may be applied again). */
  force?: boolean;
  /** The Kinesis event source mapping's ParallelizationFactor (1..10). */
  parallelizationFactor?: number;
  /** How often the supervising state machine looks while the processors drive checkpoints. */
  supervisorIntervalMs?: number;
  restartStrategy?: RestartStrategyOptions;
}

/** Flink configuration keys and values as in flink-conf.yaml. */
export type FlinkConf = Readonly<Record<string, FlinkValue>>;

export type CompileConfigInput = CheckpointingOptions & { flinkConf?: FlinkConf };

export interface CheckpointConfig {
  readonly jobId: string;
  /** Absent (undefined): checkpointing is disabled. */
  readonly intervalMs?: number;
  readonly mode: CheckpointingMode;
  readonly timeoutMs: number;
  readonly minPauseMs: number;
  readonly maxConcurrentCheckpoints: number;
  readonly tolerableFailedCheckpoints: number;
  readonly externalizedCheckpointCleanup: ExternalizedCheckpointCleanup;
  readonly preferCheckpointForRecovery: boolean;
  readonly numRetainedCheckpoints: number;
  readonly checkpointsDir: string;
  readonly savepointsDir: string;
  readonly stateBackend: StateBackendKind;
  readonly asyncSnapshots: boolean;
  readonly memoryThresholdBytes: number;
  readonly writeBufferSizeBytes: number;
  readonly incrementalCheckpoints: boolean;
  readonly localRecovery: boolean;
  readonly localRootDirs: readonly string[];
  readonly snapshotCompression: SnapshotCompression;
  readonly force: boolean;
  readonly parallelizationFactor: number;
  readonly supervisorIntervalMs: number;
  readonly restartStrategy: RestartStrategy;
  /** Accepted but risky or ineffective settings, for the cold-start log and the status call. */
  readonly warnings: readonly string[];
}

/** The write buffer of checkpoint uploads, as Flink sizes it: max(write-buffer-size, memory-threshold). */
export function effectiveWriteBufferBytes(
  config: Pick<CheckpointConfig, 'writeBufferSizeBytes' | 'memoryThresholdBytes'>,
): number {
  return Math.max(config.writeBufferSizeBytes, config.memoryThresholdBytes);
}

export function isCheckpointingEnabled(config: Pick<CheckpointConfig, 'intervalMs'>): boolean {
  return config.intervalMs !== undefined;
}
