import { describe, expect, it } from 'vitest';
import {
  ControlInputError,
  DEFAULT_SAVEPOINT_WAIT_MS,
  MAX_SAVEPOINT_WAIT_MS,
  parseControlRequest,
} from '../../../core/control/index.js';

describe('parseControlRequest (console test events and JSON strings)', () => {
  it('reads a plain object and the same request as a JSON string alike, with defaults filled in', () => {
    // Prepare
    const event = { action: 'restore', checkpointId: 42 };

    // Act
    const fromObject = parseControlRequest(event);
    const fromString = parseControlRequest(JSON.stringify(event));

    // Assess
    expect(fromObject).toEqual({ action: 'restore', checkpointId: 42, dryRun: false, allowDataLoss: false });
    expect(fromString).toEqual(fromObject);
  });

  it.each([
    [{ action: 'restore', checkpointId: 'latest', dryRun: true, allowDataLoss: true }],
    [{ action: 'savepoint' }],
    [{ action: 'savepoint', waitMs: 0 }],
    [{ action: 'savepoint', waitMs: MAX_SAVEPOINT_WAIT_MS }],
    [{ action: 'cancel' }],
    [{ action: 'cancel', savepointFirst: true }],
    [{ action: 'status' }],
    [{ action: 'list' }],
  ])('accepts %j', (event) => {
    // Act
    const request = parseControlRequest(event);

    // Assess
    expect(request).toMatchObject(event);
  });

  it('defaults the savepoint wait to 60 s and cancel to no savepoint first', () => {
    // Act + Assess
    expect(parseControlRequest({ action: 'savepoint' })).toEqual({
      action: 'savepoint',
      waitMs: DEFAULT_SAVEPOINT_WAIT_MS,
    });
    expect(DEFAULT_SAVEPOINT_WAIT_MS).toBe(60_000);
    expect(parseControlRequest({ action: 'cancel' })).toEqual({ action: 'cancel', savepointFirst: false });
  });

  it('names the field and the allowed actions for a misspelt action', () => {
    // Act
    const error = catchError(() => parseControlRequest({ action: 'restor' }));

    // Assess
    expect(error).toBeInstanceOf(ControlInputError);
    expect(error.message).toBe(
      'action: expected one of restore, savepoint, cancel, status, list; found "restor"',
    );
    expect(error).toMatchObject({ path: 'action', reason: 'BAD_INPUT' });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['malformed JSON', '{"action": "status"', 'request', /expected a JSON object .*found malformed JSON/],
    ['a JSON array', '[{"action":"status"}]', 'request', /expected a JSON object .*found \[/],
    ['null', null, 'request', /expected a JSON object .*found null/],
    ['a number', 42, 'request', /found 42/],
    ['no action', {}, 'action', /expected one of restore, .*; found nothing/],
    ['a non-string action', { action: 1 }, 'action', /found 1$/],
    [
      'an unknown field',
      { action: 'status', checkpointId: 1 },
      'checkpointId',
      /unknown field for action "status"; allowed fields: action$/,
    ],
    ['two unknown fields', { action: 'list', key1: 'a', key2: 'b' }, 'key1', /\(also key2\)/],
    [
      'a restore without checkpointId',
      { action: 'restore' },
      'checkpointId',
      /expected an integer from 0 to 999999999999 or "latest", found nothing/,
    ],
    ['a negative checkpoint id', { action: 'restore', checkpointId: -1 }, 'checkpointId', /found -1/],
    ['a fractional checkpoint id', { action: 'restore', checkpointId: 1.5 }, 'checkpointId', /found 1.5/],
    [
      'a checkpoint id as a string',
      { action: 'restore', checkpointId: '42' },
      'checkpointId',
      /write 42 without quotes/,
    ],
    [
      'a checkpoint id beyond 12 digits',
      { action: 'restore', checkpointId: 1e12 },
      'checkpointId',
      /found 1000000000000/,
    ],
    [
      'dryRun as a string',
      { action: 'restore', checkpointId: 1, dryRun: 'yes' },
      'dryRun',
      /expected true or false, found "yes"/,
    ],
    [
      'allowDataLoss as a number',
      { action: 'restore', checkpointId: 1, allowDataLoss: 1 },
      'allowDataLoss',
      /found 1/,
    ],
    ['a negative waitMs', { action: 'savepoint', waitMs: -1 }, 'waitMs', /from 0 to 600000, found -1/],
    [
      'a waitMs above the bound',
      { action: 'savepoint', waitMs: MAX_SAVEPOINT_WAIT_MS + 1 },
      'waitMs',
      /found 600001/,
    ],
    ['waitMs as a string', { action: 'savepoint', waitMs: '1000' }, 'waitMs', /found "1000"/],
    [
      'savepointFirst as a number',
      { action: 'cancel', savepointFirst: 1 },
      'savepointFirst',
      /expected true or false/,
    ],
  ])('rejects %s naming the field', (_name, input, path, message) => {
    // Act
    const error = catchError(() => parseControlRequest(input));

    // Assess
    expect(error).toBeInstanceOf(ControlInputError);
    expect((error as ControlInputError).path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, none was thrown');
}
