import { parseArgs } from 'node:util';
import { ControlInputError } from '../../core/control/control-errors.js';
import { CONTROL_ACTIONS, type ControlRequest, parseControlRequest } from '../../core/control/index.js';

export const USAGE = `flinkless: control a checkpointed job (the same actions as the control function)

Usage:
  flinkless restore --checkpoint <id>|latest [--start-position savepoint|trim_horizon|latest]
                    [--dry-run] [--allow-data-loss]
  flinkless restore --savepoint-path s3://<bucket>/<savepoint dir> [--allow-job-id-change]
                    [--start-position savepoint|trim_horizon|latest] [--dry-run] [--allow-data-loss]
  flinkless savepoint [--wait-ms <ms>]
  flinkless cancel [--savepoint-first]
  flinkless status
  flinkless list
  flinkless --help

Options:
  --quiet, -q   print only the one-line summary instead of the result JSON
  --help, -h    this text

The job and its storage come from the FLINKLESS_* environment variables, as in
the deployed functions (FLINKLESS_JOB_ID, FLINKLESS_CHECKPOINTS_DIR, FLINKLESS_TABLE,
FLINKLESS_STREAM, ...; FLINKLESS_ENDPOINT_* for the local emulators).

Exit codes: 0 done, 1 refused or failed, 2 usage error.`;

export type CliCommand = { kind: 'help' } | { kind: 'run'; request: ControlRequest; quiet: boolean };

/** A command line that does not name a valid action and options; exit code 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** Options per action; --quiet and --help go with every one. */
const ACTION_OPTIONS: Record<ControlRequest['action'], readonly string[]> = {
  restore: [
    'checkpoint',
    'savepoint-path',
    'start-position',
    'allow-job-id-change',
    'dry-run',
    'allow-data-loss',
  ],
  savepoint: ['wait-ms'],
  cancel: ['savepoint-first'],
  status: [],
  list: [],
};

/** Request field -> the flag that sets it, to name the flag in errors. */
const FLAG_OF: Record<string, string> = {
  checkpointId: '--checkpoint',
  savepointPath: '--savepoint-path',
  startPosition: '--start-position',
  allowJobIdChange: '--allow-job-id-change',
  waitMs: '--wait-ms',
};

function integerOrText(flag: string, value: string, words: readonly string[] = []): number | string {
  if (words.includes(value)) return value;
  if (/^\d+$/.test(value)) return Number(value);
  throw new CliUsageError(
    `${flag}: expected a non-negative integer${words.map((w) => ` or ${w}`).join('')}, found ${JSON.stringify(value)}`,
  );
}

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        checkpoint: { type: 'string' },
        'savepoint-path': { type: 'string' },
        'start-position': { type: 'string' },
        'allow-job-id-change': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        'allow-data-loss': { type: 'boolean' },
        'wait-ms': { type: 'string' },
        'savepoint-first': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

/**
 * The command line as a ControlRequest: the same shape, and the same strict
 * checks (parseControlRequest), as a console invocation of the control function.
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) return { kind: 'help' };
  const [action, ...extra] = positionals;
  if (action === undefined) {
    throw new CliUsageError(`expected an action: one of ${CONTROL_ACTIONS.join(', ')}`);
  }
  if (!(CONTROL_ACTIONS as readonly string[]).includes(action)) {
    throw new CliUsageError(
      `expected an action: one of ${CONTROL_ACTIONS.join(', ')}; found ${JSON.stringify(action)}`,
    );
  }
  if (extra.length > 0)
    throw new CliUsageError(`unexpected argument ${JSON.stringify(extra[0])} after ${action}`);
  const allowed = ACTION_OPTIONS[action as ControlRequest['action']];
  const misplaced = Object.keys(values).find((name) => name !== 'quiet' && !allowed.includes(name));
  if (misplaced !== undefined) {
    const options =
      allowed.length > 0 ? `its options: ${allowed.map((o) => `--${o}`).join(', ')}` : 'it has none';
    throw new CliUsageError(`--${misplaced} is not an option of ${action}; ${options}`);
  }
  const raw: Record<string, unknown> = { action };
  if (action === 'restore') {
    if (values.checkpoint === undefined && values['savepoint-path'] === undefined) {
      throw new CliUsageError('restore needs --checkpoint <id>|latest or --savepoint-path <s3://bucket/dir>');
    }
    if (values.checkpoint !== undefined)
      raw.checkpointId = integerOrText('--checkpoint', values.checkpoint, ['latest']);
    if (values['savepoint-path'] !== undefined) raw.savepointPath = values['savepoint-path'];
    if (values['start-position'] !== undefined) raw.startPosition = values['start-position'];
    if (values['allow-job-id-change']) raw.allowJobIdChange = true;
    if (values['dry-run']) raw.dryRun = true;
    if (values['allow-data-loss']) raw.allowDataLoss = true;
  }
  if (action === 'savepoint' && values['wait-ms'] !== undefined) {
    raw.waitMs = integerOrText('--wait-ms', values['wait-ms']);
  }
  if (action === 'cancel' && values['savepoint-first']) raw.savepointFirst = true;
  try {
    return { kind: 'run', request: parseControlRequest(raw), quiet: values.quiet === true };
  } catch (error) {
    if (!(error instanceof ControlInputError)) throw error;
    const flag = FLAG_OF[error.path] ?? error.path;
    throw new CliUsageError(`${flag}${error.message.slice(error.path.length)}`);
  }
}
