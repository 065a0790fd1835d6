import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError } from '../core/errors/index.js';
import { checksumSha256Verification, type KoaMiddleware } from './s3-checksum-verification.js';

/**
 * Starts kinesalite, dynalite and s3rver in this process on free ports of
 * 127.0.0.1. Everything about the emulators' quirks lives here and in
 * local/connection.ts; nobody else builds emulator clients by hand.
 */
export interface EmulatorEndpoints {
  kinesis: string;
  dynamodb: string;
  s3: string;
}

export interface RunningEmulators {
  endpoints: EmulatorEndpoints;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

type Stopper = () => Promise<void>;

function listen(name: string, server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new CheckpointError(
          'EMULATOR_START_FAILED',
          `${name} could not listen on ${HOST}:${port}: ${error.code ?? error.message}`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve(`http://${HOST}:${(server.address() as AddressInfo).port}`);
    });
  });
}

function closeServer(server: Server): Stopper {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
}

async function loadModule<T>(name: string): Promise<T> {
  try {
    const module = (await import(name)) as { default: T };
    return module.default;
  } catch (error) {
    throw new CheckpointError(
      'EMULATOR_START_FAILED',
      `${name} could not be loaded (${(error as Error).message}); run npm install to install the emulators`,
      { cause: error },
    );
  }
}

async function startKinesis(port: number): Promise<[string, Stopper]> {
  const kinesalite = await loadModule<(o: object) => Server>('kinesalite');
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  return [await listen('kinesalite (Kinesis)', server, port), closeServer(server)];
}

async function startDynamo(port: number): Promise<[string, Stopper]> {
  const dynalite = await loadModule<(o: object) => Server>('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return [await listen('dynalite (DynamoDB)', server, port), closeServer(server)];
}

async function startS3(port: number): Promise<[string, Stopper]> {
  type S3rverClass = new (
    o: object,
  ) => { run(): Promise<AddressInfo>; close(): Promise<void>; middleware: KoaMiddleware[] };
  const S3rver = await loadModule<S3rverClass>('s3rver');
  // /dev/shm keeps object bodies off the disk; s3rver needs a real directory.
  const base = process.platform === 'linux' ? '/dev/shm' : tmpdir();
  removeStaleDirectories(base);
  const directory = mkdtempSync(join(base, `flinkless-s3-${process.pid}-`));
  const server = new S3rver({ address: HOST, port, silent: true, directory, resetOnClose: true });
  // S3rver extends Koa, which composes its middleware when it starts listening: ours runs first.
  server.middleware.unshift(checksumSha256Verification());
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw new CheckpointError(
      'EMULATOR_START_FAILED',
      `s3rver (S3) could not listen on ${HOST}:${port}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      { cause: error },
    );
  }
  const stop = async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  };
  return [`http://${HOST}:${address.port}`, stop];
}

/** Data left by a run that was killed (its pid is gone): nobody else will ever delete it. */
function removeStaleDirectories(base: string): void {
  for (const name of readdirSync(base)) {
    const pid = /^flinkless-s3-(\d+)-/.exec(name)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    rmSync(join(base, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StartOptions {
  /** Fixed ports (0 = any free port). */
  ports?: Partial<Record<keyof EmulatorEndpoints, number>>;
}

export async function startEmulators(options: StartOptions = {}): Promise<RunningEmulators> {
  const stoppers: Stopper[] = [];
  const stopAll = async () => {
    await Promise.allSettled(stoppers.splice(0).map((stop) => stop()));
  };
  try {
    const [kinesis, stopKinesis] = await startKinesis(options.ports?.kinesis ?? 0);
    stoppers.push(stopKinesis);
    const [dynamodb, stopDynamo] = await startDynamo(options.ports?.dynamodb ?? 0);
    stoppers.push(stopDynamo);
    const [s3, stopS3] = await startS3(options.ports?.s3 ?? 0);
    stoppers.push(stopS3);
    return { endpoints: { kinesis, dynamodb, s3 }, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
