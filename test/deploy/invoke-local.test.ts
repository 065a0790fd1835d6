import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients } from '../../core/aws/clients.js';
import { type CheckpointBarrier, parseBarrier } from '../../core/processing/barrier.js';
import { emulatorConnection } from '../../local/connection.js';
import { type RunningEmulators, startEmulators } from '../../local/emulators.js';
import { provisionResources } from '../../local/resources.js';
import { type EmulatorPlan, emulatorPlan, REPO_ROOT, stageSettings } from '../../local/serverless-stage.js';

/**
 * `osls invoke local -f control --stage local` against emulators provisioned as
 * `npm run emulators` does it (same stage settings, same names). The emulators here listen
 * on free ports, passed as the --param overrides of params.local: a developer's own
 * `npm run emulators` may hold the fixed ones. Slow: every osls run bundles the function.
 */

const STAGE = 'local';
const OSLS_BIN = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
const INVOKE_TIMEOUT_MS = 120_000;
const run = promisify(execFile);

let emulators: RunningEmulators | undefined;
let clients: AwsClients | undefined;
let plan: EmulatorPlan | undefined;
let jobId = '';
let scratch = '';
/** serverless-esbuild's work folder for this file's runs (relative to the service). */
const workFolder = `.esbuild-invoke-local-${process.pid}`;

beforeAll(async () => {
  const settings = await stageSettings(STAGE);
  plan = emulatorPlan(settings.environment, STAGE);
  jobId = settings.environment.FLINKLESS_JOB_ID ?? '';
  emulators = await startEmulators();
  clients = createAwsClients(emulatorConnection(emulators.endpoints));
  await provisionResources(clients, plan.names, { shardCount: settings.shardCount });
  scratch = await mkdtemp(join(tmpdir(), 'flinkless-invoke-local-'));
}, 120_000);

afterAll(async () => {
  clients?.destroy();
  await emulators?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  await rm(join(REPO_ROOT, workFolder), { recursive: true, force: true });
});

/** Runs the control function with `osls invoke local` and returns the JSON it printed. */
async function invokeControl(eventFile: string): Promise<Record<string, unknown>> {
  if (emulators === undefined) throw new Error('expected beforeAll to have started the emulators');
  const { endpoints } = emulators;
  let stdout: string;
  try {
    // process.execPath: the Node running vitest (the project's Node 22), not whatever is on PATH.
    ({ stdout } = await run(
      process.execPath,
      [
        OSLS_BIN,
        'invoke',
        'local',
        '-f',
        'control',
        '-p',
        eventFile,
        '--stage',
        STAGE,
        `--param=kinesisEndpoint=${endpoints.kinesis}`,
        `--param=dynamodbEndpoint=${endpoints.dynamodb}`,
        `--param=s3Endpoint=${endpoints.s3}`,
        `--param=esbuildWorkFolder=${workFolder}`,
      ],
      { cwd: REPO_ROOT, timeout: INVOKE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
    ));
  } catch (error) {
    const { stdout: out, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`osls invoke local -p ${eventFile} failed:\n${out ?? ''}\n${stderr ?? ''}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch (cause) {
    throw new Error(`expected osls invoke local to print the function's JSON result, found:\n${stdout}`, {
      cause,
    });
  }
}

/** Every barrier in the emulator's source stream, oldest first. */
async function barriersInStream(): Promise<CheckpointBarrier[]> {
  if (clients === undefined || plan === undefined) throw new Error('expected beforeAll to have run');
  const { kinesis } = clients;
  const StreamName = plan.names.stream;
  const barriers: CheckpointBarrier[] = [];
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName }));
  for (const shard of Shards) {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    for (const record of Records) {
      const barrier = record.Data ? parseBarrier(record.Data) : undefined;
      if (barrier) barriers.push(barrier);
    }
  }
  return barriers;
}

describe('osls invoke local --stage local', () => {
  it('answers status from the emulator table: a job with no metadata is NOT_STARTED', async () => {
    const result = await invokeControl('events/control-status.json');

    expect(result).toMatchObject({
      ok: true,
      action: 'status',
      jobId,
      status: 'NOT_STARTED',
      checkpoints: [],
    });
  }, 180_000);

  it('writes a savepoint barrier into the emulator stream, which list then shows as pending', async () => {
    // events/control-savepoint.json waits a minute for processors that do not run here.
    const savepointEvent = join(scratch, 'savepoint-no-wait.json');
    await writeFile(savepointEvent, JSON.stringify({ action: 'savepoint', waitMs: 0 }));

    const savepoint = await invokeControl(savepointEvent);
    const barriers = await barriersInStream();
    const list = await invokeControl('events/control-list.json');

    expect(savepoint).toMatchObject({ ok: true, action: 'savepoint', status: 'PENDING', checkpointId: 1 });
    expect(barriers.map((b) => [b.jobId, b.checkpointId, b.kind])).toEqual([[jobId, 1, 'SAVEPOINT']]);
    expect(list).toMatchObject({
      ok: true,
      action: 'list',
      jobId,
      checkpoints: [{ checkpointId: 1, kind: 'SAVEPOINT', status: 'PENDING' }],
    });
  }, 300_000);
});

describe('emulatorPlan', () => {
  it('refuses a stage whose environment names no emulator endpoint, pointing at --stage local', () => {
    const environment = {
      FLINKLESS_STREAM: 's',
      FLINKLESS_TABLE: 'table',
      FLINKLESS_CHECKPOINTS_DIR: 's3://bucket/checkpoints',
    };

    expect(() => emulatorPlan(environment, 'dev')).toThrow(/FLINKLESS_ENDPOINT_KINESIS.*--stage local/);
  });

  it('refuses an endpoint that is not on 127.0.0.1, since the emulators only listen there', () => {
    const environment = {
      FLINKLESS_ENDPOINT_KINESIS: 'https://kinesis.us-east-1.amazonaws.com',
      FLINKLESS_ENDPOINT_DYNAMODB: 'http://127.0.0.1:4569',
      FLINKLESS_ENDPOINT_S3: 'http://127.0.0.1:4568',
      FLINKLESS_STREAM: 's',
      FLINKLESS_TABLE: 'table',
      FLINKLESS_CHECKPOINTS_DIR: 's3://bucket/checkpoints',
    };

    expect(() => emulatorPlan(environment, 'local')).toThrow(/http:\/\/127\.0\.0\.1:<port>/);
  });

  it('reads the fixed ports and the stack names of stage local from serverless.yml', () => {
    expect(plan?.ports).toEqual({ kinesis: 4567, dynamodb: 4569, s3: 4568 });
    expect(plan?.names).toEqual({
      stream: 'flinkless-local-source',
      table: 'flinkless-local-checkpoints',
      bucket: 'flinkless-local-us-east-1-state',
    });
  });
});
