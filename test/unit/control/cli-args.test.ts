import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseControlRequest } from '../../../core/control/index.js';
import { CliUsageError, parseCliArgs } from '../../../local/cli/cli-args.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, main } from '../../../local/cli/flinkless.js';
import { controlHarness } from './control-harness.js';

const event = (file: string) =>
  parseControlRequest(JSON.parse(readFileSync(join(import.meta.dirname, '../../../events', file), 'utf8')));

describe('flinkless command line (local/cli)', () => {
  it.each<[string, string[], string]>([
    ['restore latest dry run', ['restore', '--checkpoint', 'latest', '--dry-run'], 'control-restore.json'],
    ['restore 42', ['restore', '--checkpoint', '42'], 'control-restore-checkpoint.json'],
    ['savepoint', ['savepoint'], 'control-savepoint.json'],
    ['cancel --savepoint-first', ['cancel', '--savepoint-first'], 'control-cancel.json'],
    ['status', ['status'], 'control-status.json'],
    ['list', ['list'], 'control-list.json'],
  ])('maps %s to the same request as the console event', (_name, argv, file) => {
    // Act
    const command = parseCliArgs(argv);

    // Assess
    expect(command).toEqual({ kind: 'run', request: event(file), quiet: false });
  });

  it('maps the remaining flags and --quiet', () => {
    // Act + Assess
    expect(parseCliArgs(['restore', '--checkpoint=7', '--allow-data-loss', '-q'])).toEqual({
      kind: 'run',
      request: { action: 'restore', checkpointId: 7, dryRun: false, allowDataLoss: true },
      quiet: true,
    });
    expect(parseCliArgs(['savepoint', '--wait-ms', '0', '--quiet'])).toEqual({
      kind: 'run',
      request: { action: 'savepoint', waitMs: 0 },
      quiet: true,
    });
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['status', '-h'])).toEqual({ kind: 'help' });
  });

  it.each<[string, string[], RegExp]>([
    ['no action', [], /expected an action: one of restore, savepoint, cancel, status, list$/],
    ['an unknown action', ['restor'], /found "restor"/],
    [
      'an option of another action',
      ['status', '--dry-run'],
      /--dry-run is not an option of status; it has none/,
    ],
    ['an unknown option', ['list', '--force'], /Unknown option '--force'/],
    ['a restore without --checkpoint', ['restore', '--dry-run'], /restore needs --checkpoint <id>\|latest/],
    [
      'a checkpoint that is not a number',
      ['restore', '--checkpoint', 'abc'],
      /--checkpoint: expected a non-negative integer or latest, found "abc"/,
    ],
    [
      'a checkpoint id beyond 12 digits',
      ['restore', '--checkpoint', '1000000000000'],
      /^--checkpoint: expected an integer from 0 to 999999999999/,
    ],
    [
      'a wait beyond the bound',
      ['savepoint', '--wait-ms', '600001'],
      /^--wait-ms: expected an integer number of milliseconds from 0 to 600000, found 600001$/,
    ],
    [
      'a negative wait',
      ['savepoint', '--wait-ms=-5'],
      /--wait-ms: expected a non-negative integer, found "-5"/,
    ],
    ['an extra argument', ['status', 'now'], /unexpected argument "now" after status/],
  ])('rejects %s as a usage error naming the flag', (_name, argv, message) => {
    // Act
    let error: unknown;
    try {
      parseCliArgs(argv);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('flinkless main (exit codes)', () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
  }

  it('exits 2 on a usage error without building the wiring', async () => {
    // Prepare
    const { err, io: streams } = io();
    let built = false;

    // Act
    const code = await main(['resore'], {}, streams, () => {
      built = true;
      return controlHarness().wiring;
    });

    // Assess
    expect(code).toBe(EXIT_USAGE);
    expect(built).toBe(false);
    expect(err.join('\n')).toMatch(/^flinkless: expected an action.*\nRun flinkless --help for usage\.$/);
  });

  it('exits 1 with the refusal as JSON when the restore is refused', async () => {
    // Prepare
    const h = controlHarness();
    const { out, io: streams } = io();

    // Act
    const code = await main(['restore', '--checkpoint', '5'], {}, streams, () => h.wiring);

    // Assess
    expect(code).toBe(EXIT_FAILED);
    expect(JSON.parse(out.join(''))).toMatchObject({
      ok: false,
      action: 'restore',
      error: { reason: 'BAD_INPUT' },
    });
  });

  it('exits 0 and prints only the summary with --quiet', async () => {
    // Prepare
    const h = controlHarness();
    const { out, io: streams } = io();

    // Act
    const code = await main(['status', '--quiet'], {}, streams, () => h.wiring);

    // Assess
    expect(code).toBe(EXIT_OK);
    expect(out).toEqual([
      'job job-control has no checkpoint metadata yet: no checkpoint or savepoint was ever triggered',
    ]);
  });

  it('exits 1 and names the problem when the environment is not configured', async () => {
    // Prepare
    const { err, io: streams } = io();

    // Act
    const code = await main(['status'], {}, streams);

    // Assess
    expect(code).toBe(EXIT_FAILED);
    expect(err.join('')).toMatch(/FLINKLESS_JOB_ID/);
  });
});
