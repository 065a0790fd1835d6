import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { AwsClients } from '../../core/aws/clients.js';
import { DynamoCheckpointStore } from '../../core/aws/dynamodb-checkpoint-store.js';
import { KinesisStreamReader, KinesisStreamWriter } from '../../core/aws/kinesis-stream.js';
import { S3SnapshotStore } from '../../core/aws/s3-snapshot-store.js';
import { MemoryCheckpointStore } from '../../core/memory/memory-checkpoint-store.js';
import { MemorySnapshotStore } from '../../core/memory/memory-snapshot-store.js';
import { MemoryStream } from '../../core/memory/memory-stream.js';
import type { CheckpointStore } from '../../core/ports/checkpoint-store.js';
import { type Clock, systemClock } from '../../core/ports/clock.js';
import type { SnapshotStore } from '../../core/ports/snapshot-store.js';
import type { StreamReader, StreamWriter } from '../../core/ports/stream.js';
import { KinesisShardSource, MemoryShardSource, type ShardSource } from '../esm/shard-source.js';
import type { ResourceNames } from '../resources.js';

export interface ProducedRecord {
  partitionKey: string;
  data: Uint8Array;
}

/** Everything a pipeline runs on: the ports, plus how to poll and feed the stream. */
export interface PipelineParts {
  kind: 'memory' | 'emulators';
  store: CheckpointStore;
  snapshots: SnapshotStore;
  reader: StreamReader;
  writer: StreamWriter;
  source: ShardSource;
  clock: Clock;
  produce(records: ProducedRecord[]): Promise<void>;
}

/** Each in-memory deployment reads its own stream, named apart as real streams are. */
let memoryStreams = 0;

export function memoryParts(
  shardCount: number,
  clock: Clock = systemClock,
): PipelineParts & { stream: MemoryStream } {
  const stream = new MemoryStream({ clock, streamName: `memory-stream-${++memoryStreams}` });
  stream.createShards(shardCount);
  return {
    kind: 'memory',
    stream,
    store: new MemoryCheckpointStore(),
    snapshots: new MemorySnapshotStore({ clock }),
    reader: stream,
    writer: stream,
    source: new MemoryShardSource(stream),
    clock,
    async produce(records) {
      for (const r of records) stream.put(r.partitionKey, r.data);
    },
  };
}

/** Real SDK adapters on the emulators (or on AWS: the same code with other clients). */
export function awsParts(
  clients: AwsClients,
  names: ResourceNames,
  clock: Clock = systemClock,
): PipelineParts {
  return {
    kind: 'emulators',
    store: new DynamoCheckpointStore({ client: clients.dynamodb, tableName: names.table }),
    snapshots: new S3SnapshotStore({ client: clients.s3, bucket: names.bucket }),
    reader: new KinesisStreamReader({ client: clients.kinesis, streamName: names.stream }),
    writer: new KinesisStreamWriter({ client: clients.kinesis, streamName: names.stream }),
    source: new KinesisShardSource(clients.kinesis, names.stream),
    clock,
    async produce(records) {
      for (let i = 0; i < records.length; i += 500) {
        const chunk = records.slice(i, i + 500);
        let entries = chunk.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey }));
        // PutRecords is not atomic: resend only the failed entries, in order, bounded.
        for (let attempt = 0; entries.length > 0; attempt++) {
          if (attempt > 20) throw new Error('PutRecords kept failing entries after 20 attempts');
          const out = await clients.kinesis.send(
            new PutRecordsCommand({ StreamName: names.stream, Records: entries }),
          );
          entries = entries.filter((_, j) => out.Records?.[j]?.ErrorCode);
          if (entries.length > 0) await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        }
      }
    },
  };
}
