import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseStorageLocation } from '../core/checkpoint/storage-location.js';
import { BadInputError } from '../core/errors/index.js';
import type { EmulatorEndpoints } from './emulators.js';
import type { ResourceNames } from './resources.js';

/**
 * What a serverless.yml stage asks of the local emulators, read from `osls print` so
 * the names and ports have one source: serverless.yml (params.local). `npm run emulators`
 * and test/deploy/invoke-local.test.ts both go through here.
 */

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OSLS_BIN = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
const PRINT_TIMEOUT_MS = 120_000;
const run = promisify(execFile);

export interface StageSettings {
  /** provider.environment: what `osls invoke local` gives the functions of the stage. */
  environment: Record<string, string>;
  /** custom.flinkless.source.shardCount: the shards of the stack's own source stream. */
  shardCount: number;
}

/** Resolves serverless.yml for a stage (`osls print`, offline: a few seconds). */
export async function stageSettings(
  stage: string,
  extraArgs: readonly string[] = [],
): Promise<StageSettings> {
  let stdout: string;
  try {
    // process.execPath: the Node running us (the project's Node 22), not whatever is on PATH.
    ({ stdout } = await run(
      process.execPath,
      [OSLS_BIN, 'print', '--stage', stage, '--format', 'json', ...extraArgs],
      { cwd: REPO_ROOT, timeout: PRINT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
    ));
  } catch (error) {
    const { stdout: out, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`osls print --stage ${stage} failed:\n${out ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
  const config = JSON.parse(stdout) as {
    provider?: { environment?: Record<string, unknown> };
    custom?: { flinkless?: { source?: { shardCount?: unknown } } };
  };
  // Null values are variables the stage leaves unset (e.g. the endpoints outside stage local).
  const environment = Object.fromEntries(
    Object.entries(config.provider?.environment ?? {})
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([name, value]) => [name, String(value)]),
  );
  return { environment, shardCount: Number(config.custom?.flinkless?.source?.shardCount ?? 1) };
}

export interface EmulatorPlan {
  endpoints: EmulatorEndpoints;
  ports: Record<keyof EmulatorEndpoints, number>;
  names: ResourceNames;
}

const ENDPOINT_VARIABLES: Readonly<Record<keyof EmulatorEndpoints, string>> = {
  kinesis: 'FLINKLESS_ENDPOINT_KINESIS',
  dynamodb: 'FLINKLESS_ENDPOINT_DYNAMODB',
  s3: 'FLINKLESS_ENDPOINT_S3',
};

function localPort(variable: string, value: string | undefined, stage: string): number {
  if (value === undefined) {
    throw new BadInputError(
      `stage ${stage}: expected ${variable} in provider.environment (serverless.yml params.local), found none; ` +
        'only stage local points the functions at the emulators: use --stage local',
    );
  }
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const port = Number(url?.port);
  if (
    url === undefined ||
    !['127.0.0.1', 'localhost'].includes(url.hostname) ||
    !Number.isInteger(port) ||
    port < 1
  ) {
    throw new BadInputError(
      `stage ${stage}: expected ${variable} to be http://127.0.0.1:<port>, found ${JSON.stringify(value)}`,
    );
  }
  return port;
}

/** The emulator ports and the stream/table/bucket names the stage's functions will use. */
export function emulatorPlan(environment: Record<string, string>, stage: string): EmulatorPlan {
  const ports = {
    kinesis: localPort(ENDPOINT_VARIABLES.kinesis, environment[ENDPOINT_VARIABLES.kinesis], stage),
    dynamodb: localPort(ENDPOINT_VARIABLES.dynamodb, environment[ENDPOINT_VARIABLES.dynamodb], stage),
    s3: localPort(ENDPOINT_VARIABLES.s3, environment[ENDPOINT_VARIABLES.s3], stage),
  };
  const required = (name: string) => {
    const value = environment[name];
    if (!value)
      throw new BadInputError(`stage ${stage}: expected ${name} in provider.environment, found none`);
    return value;
  };
  const checkpoints = parseStorageLocation(
    required('FLINKLESS_CHECKPOINTS_DIR'),
    'FLINKLESS_CHECKPOINTS_DIR',
  );
  return {
    ports,
    endpoints: {
      kinesis: `http://127.0.0.1:${ports.kinesis}`,
      dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
      s3: `http://127.0.0.1:${ports.s3}`,
    },
    names: {
      stream: required('FLINKLESS_STREAM'),
      table: required('FLINKLESS_TABLE'),
      bucket: checkpoints.bucket,
    },
  };
}
