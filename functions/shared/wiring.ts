import { type AwsClients, createAwsClients } from '../../core/aws/clients.js';
import { connectionFromEnvironment } from '../../core/aws/connection-from-environment.js';
import { DynamoCheckpointStore } from '../../core/aws/dynamodb-checkpoint-store.js';
import { KinesisOutputSink } from '../../core/aws/kinesis-output-sink.js';
import { KinesisStreamReader, KinesisStreamWriter } from '../../core/aws/kinesis-stream.js';
import { S3SnapshotStore } from '../../core/aws/s3-snapshot-store.js';
import { checkIterativeJob } from '../../core/checkpoint/iterative-job.js';
import { parseStorageLocation } from '../../core/checkpoint/storage-location.js';
import {
  type CheckpointConfig,
  compileConfig,
  configFromEnvironmentRecord,
} from '../../core/config/index.js';
import { ConfigError } from '../../core/errors/index.js';
import type { CheckpointStore } from '../../core/ports/checkpoint-store.js';
import { type Clock, systemClock } from '../../core/ports/clock.js';
import type { OutputSink } from '../../core/ports/output-sink.js';
import type { SnapshotStore } from '../../core/ports/snapshot-store.js';
import type { StreamReader, StreamWriter } from '../../core/ports/stream.js';

/** Everything a function needs, built once per cold start from the environment. */
export interface Wiring {
  config: CheckpointConfig;
  clients: AwsClients;
  store: CheckpointStore;
  snapshots: SnapshotStore;
  reader: StreamReader;
  writer: StreamWriter;
  clock: Clock;
  /** Where ctx.output results go (FLINKLESS_OUTPUT_STREAM); none: outputs are dropped. */
  sink?: OutputSink;
  /** Bucket-relative key prefix of checkpoints.dir (and savepoints.dir). */
  checkpointsPrefix: string;
  savepointsPrefix: string;
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(name, 'is required (set it in serverless.yml provider.environment)');
  return value;
}

/** Validates all configuration up front: a bad value fails the cold start, naming the field. */
export function wiringFromEnvironment(env: Record<string, string | undefined> = process.env): Wiring {
  const config = compileConfig(configFromEnvironmentRecord(env));
  for (const warning of config.warnings) console.warn(`[flinkless] config warning: ${warning}`);
  if (config.stateBackend === 'disk') {
    throw new ConfigError(
      'checkpointing.stateBackend',
      "'disk' (rocksdb) is not available yet; use 'memory' (hashmap)",
    );
  }
  if (config.incrementalCheckpoints) {
    throw new ConfigError(
      'checkpointing.incrementalCheckpoints',
      'incremental checkpoints are not available yet; set false',
    );
  }
  const checkpoints = parseStorageLocation(config.checkpointsDir, 'checkpointing.checkpointsDir');
  const savepoints = parseStorageLocation(config.savepointsDir, 'checkpointing.savepointsDir');
  if (savepoints.bucket !== checkpoints.bucket) {
    throw new ConfigError(
      'checkpointing.savepointsDir',
      `must be in the checkpoints bucket ${checkpoints.bucket}`,
    );
  }
  const streamName = required(env, 'FLINKLESS_STREAM');
  const iterative = checkIterativeJob(
    {
      inputStream: streamName,
      ...(env.FLINKLESS_OUTPUT_STREAM ? { outputStream: env.FLINKLESS_OUTPUT_STREAM } : {}),
    },
    config.force,
  );
  if (iterative) console.warn(`[flinkless] ${iterative}`);
  const clients = createAwsClients(connectionFromEnvironment(env));
  return {
    config,
    clients,
    store: new DynamoCheckpointStore({
      client: clients.dynamodb,
      tableName: required(env, 'FLINKLESS_TABLE'),
    }),
    snapshots: new S3SnapshotStore({
      client: clients.s3,
      bucket: checkpoints.bucket,
      writeBufferSizeBytes: Math.max(config.writeBufferSizeBytes, config.memoryThresholdBytes),
    }),
    reader: new KinesisStreamReader({ client: clients.kinesis, streamName }),
    writer: new KinesisStreamWriter({ client: clients.kinesis, streamName }),
    clock: systemClock,
    ...(env.FLINKLESS_OUTPUT_STREAM
      ? { sink: new KinesisOutputSink({ client: clients.kinesis, streamName: env.FLINKLESS_OUTPUT_STREAM }) }
      : {}),
    checkpointsPrefix: checkpoints.prefix,
    savepointsPrefix: savepoints.prefix,
  };
}
