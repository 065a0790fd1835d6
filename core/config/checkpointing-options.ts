import { booleanValue, integerIn, oneOf } from './check.js';
import {
  jobId,
  localRootDirs,
  MAX_MEMORY_THRESHOLD_BYTES,
  MAX_PARALLELIZATION_FACTOR,
  MINIMAL_CHECKPOINT_TIME_MS,
  STATE_BACKENDS,
  stateBackend,
} from './checkpointing-checks.js';
import {
  flinkBoolean,
  flinkDuration,
  flinkEnum,
  flinkInteger,
  flinkMemorySize,
  flinkPathList,
  flinkString,
} from './flink-values.js';
import type { OptionSpec } from './option-spec.js';
import { s3Directory } from './s3-location.js';

/**
 * Every scalar checkpointing option (the restart strategy lives in
 * restart-strategy-options.ts). Defaults are Flink's, as listed on its checkpointing
 * page, unless a comment says why not.
 */

export const CHECKPOINTING_OPTIONS: readonly OptionSpec[] = [
  {
    id: 'jobId',
    option: 'jobId',
    flinkKeys: [],
    fromFlink: flinkString,
    check: jobId,
    defaultValue: undefined,
    defaultText: '(required)',
    meaning: 'Names the job in S3 keys and DynamoDB items.',
  },
  {
    id: 'intervalMs',
    option: 'intervalMs',
    flinkKeys: ['execution.checkpointing.interval'],
    fromFlink: flinkDuration,
    check: integerIn(
      MINIMAL_CHECKPOINT_TIME_MS,
      Number.MAX_SAFE_INTEGER,
      'milliseconds; omit it to disable checkpointing',
    ),
    defaultValue: undefined,
    defaultText: '(none: checkpointing disabled)',
    meaning: 'Checkpoint every n ms, like enableCheckpointing(n); absent = no periodic checkpoints.',
  },
  {
    id: 'mode',
    option: 'mode',
    flinkKeys: ['execution.checkpointing.mode'],
    fromFlink: flinkEnum({ exactly_once: 'EXACTLY_ONCE', at_least_once: 'AT_LEAST_ONCE' }),
    check: oneOf(['EXACTLY_ONCE', 'AT_LEAST_ONCE']),
    defaultValue: 'EXACTLY_ONCE',
    defaultText: 'EXACTLY_ONCE',
    meaning:
      'EXACTLY_ONCE: state exactly-once, outputs published after their checkpoint completes (two-phase). AT_LEAST_ONCE: outputs written as soon as a batch is done; duplicates possible after a failure, never loss.',
  },
  {
    id: 'timeoutMs',
    option: 'timeoutMs',
    flinkKeys: ['execution.checkpointing.timeout'],
    fromFlink: flinkDuration,
    check: integerIn(MINIMAL_CHECKPOINT_TIME_MS, Number.MAX_SAFE_INTEGER, 'milliseconds'),
    defaultValue: 600_000,
    defaultText: '600000 (10 min)',
    meaning: 'A pending checkpoint not completed within this time is aborted.',
  },
  {
    id: 'minPauseMs',
    option: 'minPauseMs',
    flinkKeys: ['execution.checkpointing.min-pause'],
    fromFlink: flinkDuration,
    check: integerIn(0, Number.MAX_SAFE_INTEGER, 'milliseconds'),
    defaultValue: 0,
    defaultText: '0',
    meaning:
      'Least time from one checkpoint completing to the next trigger; > 0 implies one checkpoint at a time.',
  },
  {
    id: 'maxConcurrentCheckpoints',
    option: 'maxConcurrentCheckpoints',
    flinkKeys: ['execution.checkpointing.max-concurrent-checkpoints'],
    fromFlink: flinkInteger,
    check: integerIn(1),
    defaultValue: 1,
    defaultText: '1',
    meaning: 'Checkpoints that may be pending at once; cannot be combined with minPauseMs > 0.',
  },
  {
    id: 'tolerableFailedCheckpoints',
    option: 'tolerableFailedCheckpoints',
    flinkKeys: ['execution.checkpointing.tolerable-failed-checkpoints'],
    fromFlink: flinkInteger,
    check: integerIn(0),
    defaultValue: 0,
    defaultText: '0',
    meaning:
      'Consecutive failed checkpoints tolerated before the job fails; 0 = the first failure fails the job (failOnCheckpointingErrors: true = 0, false = unlimited).',
  },
  {
    id: 'externalizedCheckpointCleanup',
    option: 'externalizedCheckpointCleanup',
    flinkKeys: ['execution.checkpointing.externalized-checkpoint-retention'],
    fromFlink: flinkEnum(
      {
        retain_on_cancellation: 'RETAIN_ON_CANCELLATION',
        delete_on_cancellation: 'DELETE_ON_CANCELLATION',
        no_externalized_checkpoints: 'DELETE_ON_CANCELLATION',
      },
      {
        no_externalized_checkpoints:
          'NO_EXTERNALIZED_CHECKPOINTS is treated as DELETE_ON_CANCELLATION: flinkless always persists checkpoint metadata and keeps it when the job fails, so the job can restart from it',
      },
    ),
    check: oneOf(['RETAIN_ON_CANCELLATION', 'DELETE_ON_CANCELLATION']),
    // Flink's default (NO_EXTERNALIZED_CHECKPOINTS) deletes checkpoints when the job is
    // cancelled. Ours are always externalized (metadata in DynamoDB), so the nearest
    // equivalent is DELETE_ON_CANCELLATION; it also keeps storage bounded by default.
    defaultValue: 'DELETE_ON_CANCELLATION',
    defaultText: 'DELETE_ON_CANCELLATION',
    meaning:
      'On job cancel, retained checkpoints are kept or deleted. They are always kept when the job fails.',
  },
  {
    id: 'preferCheckpointForRecovery',
    option: 'preferCheckpointForRecovery',
    flinkKeys: ['execution.checkpointing.prefer-checkpoint-for-recovery'],
    fromFlink: flinkBoolean,
    check: booleanValue,
    defaultValue: false,
    defaultText: 'false',
    meaning:
      'Recover from the latest checkpoint even when a newer savepoint exists (FLINK-20427: may lose data).',
  },
  {
    id: 'numRetainedCheckpoints',
    option: 'numRetainedCheckpoints',
    flinkKeys: ['state.checkpoints.num-retained', 'execution.checkpointing.num-retained'],
    fromFlink: flinkInteger,
    check: integerIn(1),
    defaultValue: 1,
    defaultText: '1',
    meaning: 'Completed checkpoints kept; older ones are subsumed and deleted.',
  },
  {
    id: 'checkpointsDir',
    option: 'checkpointsDir',
    flinkKeys: ['state.checkpoints.dir', 'execution.checkpointing.dir', 'state.backend.fs.checkpointdir'],
    fromFlink: flinkString,
    check: s3Directory,
    defaultValue: undefined,
    defaultText: '(required)',
    meaning: 'S3 directory (s3://bucket/prefix) for checkpoint data.',
  },
  {
    id: 'savepointsDir',
    option: 'savepointsDir',
    flinkKeys: [
      'state.savepoints.dir',
      'execution.checkpointing.savepoint-dir',
      'savepoints.state.backend.fs.dir',
    ],
    fromFlink: flinkString,
    check: s3Directory,
    // Flink has no default and fails a savepoint without a target; a sibling of the
    // job's checkpoints is safe (outside <checkpointsDir>/<jobId>, which is garbage collected).
    defaultValue: undefined,
    defaultText: '<checkpointsDir>/savepoints',
    meaning: 'S3 directory for savepoints; savepoints are never deleted automatically.',
  },
  {
    id: 'stateBackend',
    option: 'stateBackend',
    flinkKeys: ['state.backend', 'state.backend.type'],
    fromFlink: flinkEnum(STATE_BACKENDS),
    check: stateBackend,
    defaultValue: 'memory',
    defaultText: 'memory',
    meaning:
      "Where state lives: 'memory' (heap) or 'disk' (embedded store in /tmp, for state larger than memory).",
  },
  {
    id: 'asyncSnapshots',
    option: 'asyncSnapshots',
    flinkKeys: ['state.backend.async'],
    fromFlink: flinkBoolean,
    check: booleanValue,
    defaultValue: true,
    defaultText: 'true',
    meaning: 'Upload snapshots while processing continues, instead of before it.',
  },
  {
    id: 'memoryThresholdBytes',
    option: 'memoryThresholdBytes',
    flinkKeys: [
      'state.backend.fs.memory-threshold',
      'state.storage.fs.memory-threshold',
      'execution.checkpointing.data-inline-threshold',
    ],
    fromFlink: flinkMemorySize,
    check: integerIn(
      0,
      MAX_MEMORY_THRESHOLD_BYTES,
      'bytes; inline snapshots must fit a 400 KB DynamoDB item',
    ),
    defaultValue: 1024,
    defaultText: '1024',
    meaning: 'Snapshots smaller than this are inlined in the DynamoDB ack item instead of an S3 object.',
  },
  {
    id: 'writeBufferSizeBytes',
    option: 'writeBufferSizeBytes',
    flinkKeys: [
      'state.backend.fs.write-buffer-size',
      'state.storage.fs.write-buffer-size',
      'execution.checkpointing.write-buffer-size',
    ],
    fromFlink: flinkMemorySize,
    check: integerIn(1, Number.MAX_SAFE_INTEGER, 'bytes'),
    defaultValue: 4096,
    defaultText: '4096',
    meaning: 'Upload buffer; the effective size is max(writeBufferSizeBytes, memoryThresholdBytes).',
  },
  {
    id: 'incrementalCheckpoints',
    option: 'incrementalCheckpoints',
    flinkKeys: ['state.backend.incremental', 'execution.checkpointing.incremental'],
    fromFlink: flinkBoolean,
    check: booleanValue,
    defaultValue: false,
    defaultText: 'false',
    meaning: 'Upload only the changes since the previous checkpoint; shared files are reference counted.',
  },
  {
    id: 'localRecovery',
    option: 'localRecovery',
    // Flink splits this into "keep a local copy" and "recover from it"; here both
    // are one thing: a warm container reusing its own state.
    flinkKeys: [
      'state.backend.local-recovery',
      'execution.state-recovery.from-local',
      'execution.checkpointing.local-backup.enabled',
    ],
    fromFlink: flinkBoolean,
    check: booleanValue,
    defaultValue: false,
    defaultText: 'false',
    meaning: 'A warm container reuses its in-memory or /tmp state when the durable cursor proves it current.',
  },
  {
    id: 'localRootDirs',
    option: 'localRootDirs',
    flinkKeys: ['taskmanager.state.local.root-dirs', 'execution.checkpointing.local-backup.dirs'],
    fromFlink: flinkPathList,
    check: localRootDirs,
    defaultValue: ['/tmp'],
    defaultText: '/tmp',
    meaning: 'Root directories for local state copies (Lambda allows writes only below /tmp).',
  },
  {
    id: 'snapshotCompression',
    option: 'snapshotCompression',
    flinkKeys: ['execution.checkpointing.snapshot-compression'],
    fromFlink: (raw) => {
      const flag = flinkBoolean(raw);
      return flag.ok ? { ok: true, value: flag.value ? 'zstd' : 'none' } : flag;
    },
    check: oneOf(['none', 'zstd']),
    defaultValue: 'none',
    defaultText: 'none',
    meaning: "Compress snapshot data ('zstd') or not ('none'); the Flink key is a boolean (true = zstd).",
  },
  {
    id: 'force',
    option: 'force',
    flinkKeys: [],
    fromFlink: flinkBoolean,
    check: booleanValue,
    defaultValue: false,
    defaultText: 'false',
    meaning:
      'Checkpoint an iterative job (feedback edge) anyway. Loop records are in no checkpoint: outputs written ' +
      'again (same id) after cold starts and failures come around again through an appending stream such as ' +
      'Kinesis, in EXACTLY_ONCE even without a failure, unless the operator drops output ids it has seen; with ' +
      'that, a failure with loop records in flight recovers to the failure-free result (tested).',
  },
  {
    id: 'parallelizationFactor',
    option: 'parallelizationFactor',
    flinkKeys: [],
    fromFlink: flinkInteger,
    check: integerIn(1, MAX_PARALLELIZATION_FACTOR),
    defaultValue: 1,
    defaultText: '1',
    meaning: 'Concurrent batches per shard (Lambda ParallelizationFactor); must be 1 in EXACTLY_ONCE mode.',
  },
  {
    id: 'supervisorIntervalMs',
    option: 'supervisorIntervalMs',
    flinkKeys: [],
    fromFlink: flinkInteger,
    check: integerIn(1_000, 3_600_000, 'milliseconds (whole Step Functions Wait seconds, at most an hour)'),
    defaultValue: 300_000,
    defaultText: '300000 (5 min)',
    meaning:
      'While the processors trigger and complete checkpoints, how often the supervising state machine looks (sweeps orphans, aborts expired checkpoints, triggers on an idle stream); earlier for a pending timeout.',
  },
];
