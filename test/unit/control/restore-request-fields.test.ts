import { describe, expect, it } from 'vitest';
import { ControlInputError, parseControlRequest } from '../../../core/control/index.js';
import { CliUsageError, parseCliArgs } from '../../../local/cli/cli-args.js';

describe('restore request: startPosition, savepointPath, allowJobIdChange', () => {
  it('reads a savepoint restore with a start position, and a savepoint path import', () => {
    // Act
    const withStart = parseControlRequest({ action: 'restore', checkpointId: 7, startPosition: 'latest' });
    const byPath = parseControlRequest({
      action: 'restore',
      savepointPath: 's3://b/savepoints/j/savepoint-7',
      allowJobIdChange: true,
    });

    // Assess
    expect(withStart).toEqual({
      action: 'restore',
      checkpointId: 7,
      startPosition: 'latest',
      dryRun: false,
      allowDataLoss: false,
    });
    expect(byPath).toEqual({
      action: 'restore',
      savepointPath: 's3://b/savepoints/j/savepoint-7',
      allowJobIdChange: true,
      dryRun: false,
      allowDataLoss: false,
    });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'an unknown start position',
      { action: 'restore', checkpointId: 7, startPosition: 'earliest' },
      'startPosition',
      /expected one of "savepoint", "trim_horizon", "latest" \(savepoints only\), found "earliest"/,
    ],
    [
      'both targets',
      { action: 'restore', checkpointId: 7, savepointPath: 's3://b/x' },
      'savepointPath',
      /expected either checkpointId .* or savepointPath .*, found both/,
    ],
    [
      'allowJobIdChange without a path',
      { action: 'restore', checkpointId: 7, allowJobIdChange: true },
      'allowJobIdChange',
      /applies only with savepointPath/,
    ],
    [
      'an empty path',
      { action: 'restore', savepointPath: ' ' },
      'savepointPath',
      /expected "s3:\/\/<bucket>/,
    ],
  ])('refuses %s, naming the field', (_name, request, field, message) => {
    // Act
    let error: unknown;
    try {
      parseControlRequest(request);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ControlInputError);
    expect((error as ControlInputError).path).toBe(field);
    expect((error as Error).message).toMatch(message);
  });

  it('the CLI maps --start-position, --savepoint-path and --allow-job-id-change to the same request', () => {
    // Act
    const command = parseCliArgs([
      'restore',
      '--savepoint-path',
      's3://b/savepoints/j/savepoint-7',
      '--start-position',
      'trim_horizon',
      '--allow-job-id-change',
      '--dry-run',
    ]);

    // Assess
    expect(command).toEqual({
      kind: 'run',
      quiet: false,
      request: {
        action: 'restore',
        savepointPath: 's3://b/savepoints/j/savepoint-7',
        startPosition: 'trim_horizon',
        allowJobIdChange: true,
        dryRun: true,
        allowDataLoss: false,
      },
    });
  });

  it('the CLI names the flag of a bad start position, and asks for a target', () => {
    // Assess
    expect(() => parseCliArgs(['restore', '--checkpoint', '7', '--start-position', 'now'])).toThrow(
      /^--start-position: expected one of/,
    );
    expect(() => parseCliArgs(['restore', '--dry-run'])).toThrow(CliUsageError);
  });
});
