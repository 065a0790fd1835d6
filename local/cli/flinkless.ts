/**
 * `flinkless`: the control function's actions from a terminal, against the
 * job the FLINKLESS_* environment describes (AWS, or the local emulators with
 * FLINKLESS_ENDPOINT_*). Run with tsx: `tsx local/cli/flinkless.ts status`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type ControlWiring,
  controlWiringFromEnvironment,
  runControlRequest,
} from '../../functions/shared/control-handler.js';
import type { Wiring } from '../../functions/shared/wiring.js';
import { CliUsageError, parseCliArgs, USAGE } from './cli-args.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const consoleIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** The control wiring, and the AWS clients to close when there are any (tests pass in-memory ports). */
export type CliWiring = ControlWiring & Partial<Pick<Wiring, 'clients'>>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs one command line; returns the exit code. */
export async function main(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CliIo = consoleIo,
  wiringFrom: (env: Record<string, string | undefined>) => CliWiring = controlWiringFromEnvironment,
): Promise<number> {
  let command: ReturnType<typeof parseCliArgs>;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.err(`flinkless: ${error.message}\nRun flinkless --help for usage.`);
    return EXIT_USAGE;
  }
  if (command.kind === 'help') {
    io.out(USAGE);
    return EXIT_OK;
  }
  let wiring: CliWiring | undefined;
  try {
    wiring = wiringFrom(env);
    const result = await runControlRequest(wiring, realSleep, command.request);
    io.out(command.quiet ? result.summary : JSON.stringify(result, null, 2));
    return result.ok ? EXIT_OK : EXIT_FAILED;
  } catch (error) {
    io.err(`flinkless: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return EXIT_FAILED;
  } finally {
    // Keep-alive sockets would hold the process open after the answer.
    wiring?.clients?.destroy();
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
