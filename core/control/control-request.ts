import { MAX_CHECKPOINT_ID } from '../ports/checkpoint-store.js';
import { START_POSITIONS, type StartPosition } from '../recovery/restore-start-position.js';
import { ControlInputError } from './control-errors.js';

/**
 * What an operator can ask of a running job, from the Lambda console (a test
 * event), `osls invoke` or the `flinkless` CLI. One shape for all of them, so the
 * console and the CLI cannot drift apart.
 */
export type ControlRequest =
  | RestoreControlRequest
  | SavepointControlRequest
  | CancelControlRequest
  | { action: 'status' }
  | { action: 'list' };

export type RestoreControlRequest = {
  action: 'restore';
  dryRun: boolean;
  allowDataLoss: boolean;
  /** Savepoints only; absent: 'savepoint' (its own positions). */
  startPosition?: StartPosition;
} & (
  | { checkpointId: number | 'latest' }
  | {
      /** A savepoint directory (s3://bucket/prefix or its key prefix), e.g. of another deployment. */
      savepointPath: string;
      /** Import the savepoint of another job id. */
      allowJobIdChange: boolean;
    }
);

export interface SavepointControlRequest {
  action: 'savepoint';
  /** How long to wait for the savepoint to complete before reporting it as still pending. */
  waitMs: number;
}

export interface CancelControlRequest {
  action: 'cancel';
  /** Take a savepoint first (Flink's stop-with-savepoint); the cancel is refused if it fails. */
  savepointFirst: boolean;
}

export type ControlAction = ControlRequest['action'];

export const CONTROL_ACTIONS: readonly ControlAction[] = ['restore', 'savepoint', 'cancel', 'status', 'list'];
export const DEFAULT_SAVEPOINT_WAIT_MS = 60_000;
/** Below a control Lambda's 15-minute ceiling, with room for the trigger and the reply. */
export const MAX_SAVEPOINT_WAIT_MS = 600_000;

const FIELDS: Record<ControlAction, readonly string[]> = {
  restore: [
    'action',
    'checkpointId',
    'savepointPath',
    'startPosition',
    'allowJobIdChange',
    'dryRun',
    'allowDataLoss',
  ],
  savepoint: ['action', 'waitMs'],
  cancel: ['action', 'savepointFirst'],
  status: ['action'],
  list: ['action'],
};

const EXAMPLE = '{"action":"status"}';

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return `${value}n`;
  const json = JSON.stringify(value);
  if (json === undefined) return typeof value;
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The request as a plain object: the console sends one, `osls invoke --data` may send a JSON string. */
function requestObject(input: unknown): Record<string, unknown> {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new ControlInputError(
        'request',
        `expected a JSON object such as ${EXAMPLE}, found malformed JSON (${(error as Error).message}) in ${show(input)}`,
      );
    }
  }
  if (!isPlainObject(value)) {
    throw new ControlInputError('request', `expected a JSON object such as ${EXAMPLE}, found ${show(value)}`);
  }
  return value;
}

function optionalBoolean(request: Record<string, unknown>, field: string): boolean {
  const value = request[field];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new ControlInputError(field, `expected true or false, found ${show(value)}`);
  }
  return value;
}

function checkpointIdOf(request: Record<string, unknown>): number | 'latest' {
  const value = request.checkpointId;
  if (value === 'latest') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_CHECKPOINT_ID) {
    return value;
  }
  const hint =
    typeof value === 'string' && /^\d+$/.test(value) ? ` (a string: write ${value} without quotes)` : '';
  throw new ControlInputError(
    'checkpointId',
    `expected an integer from 0 to ${MAX_CHECKPOINT_ID} or "latest", found ${show(value)}${hint}`,
  );
}

function startPositionOf(request: Record<string, unknown>): StartPosition | undefined {
  const value = request.startPosition;
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (START_POSITIONS as readonly string[]).includes(value)) {
    return value as StartPosition;
  }
  throw new ControlInputError(
    'startPosition',
    `expected one of ${START_POSITIONS.map((p) => `"${p}"`).join(', ')} (savepoints only), found ${show(value)}`,
  );
}

/** Exactly one of checkpointId and savepointPath names what to restore. */
function restoreTargetOf(
  request: Record<string, unknown>,
): { checkpointId: number | 'latest' } | { savepointPath: string; allowJobIdChange: boolean } {
  const hasPath = request.savepointPath !== undefined;
  if (hasPath && request.checkpointId !== undefined) {
    throw new ControlInputError(
      'savepointPath',
      'expected either checkpointId (a checkpoint or savepoint of this job) or savepointPath (a savepoint ' +
        'directory, e.g. of another deployment), found both',
    );
  }
  if (!hasPath) {
    if (request.allowJobIdChange !== undefined) {
      throw new ControlInputError('allowJobIdChange', 'applies only with savepointPath');
    }
    return { checkpointId: checkpointIdOf(request) };
  }
  const path = request.savepointPath;
  if (typeof path !== 'string' || path.trim() === '') {
    throw new ControlInputError(
      'savepointPath',
      `expected "s3://<bucket>/<savepoint directory>" or its key prefix, found ${show(path)}`,
    );
  }
  return { savepointPath: path, allowJobIdChange: optionalBoolean(request, 'allowJobIdChange') };
}

function waitMsOf(request: Record<string, unknown>): number {
  const value = request.waitMs;
  if (value === undefined) return DEFAULT_SAVEPOINT_WAIT_MS;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 0 ||
    value > MAX_SAVEPOINT_WAIT_MS
  ) {
    throw new ControlInputError(
      'waitMs',
      `expected an integer number of milliseconds from 0 to ${MAX_SAVEPOINT_WAIT_MS}, found ${show(value)}`,
    );
  }
  return value;
}

/**
 * Strict parsing of a control request: a wrong type, an unknown action or an
 * unknown field is a ControlInputError naming the field and what is allowed,
 * before anything is read or written.
 */
export function parseControlRequest(input: unknown): ControlRequest {
  const request = requestObject(input);
  const action = request.action;
  if (typeof action !== 'string' || !(CONTROL_ACTIONS as readonly string[]).includes(action)) {
    throw new ControlInputError(
      'action',
      `expected one of ${CONTROL_ACTIONS.join(', ')}; found ${show(action)}`,
    );
  }
  const known = action as ControlAction;
  const allowed = FIELDS[known];
  const unknown = Object.keys(request).filter((field) => !allowed.includes(field));
  if (unknown.length > 0) {
    throw new ControlInputError(
      unknown[0] as string,
      `unknown field for action "${known}"${unknown.length > 1 ? ` (also ${unknown.slice(1).join(', ')})` : ''}; ` +
        `allowed fields: ${allowed.join(', ')}`,
    );
  }
  switch (known) {
    case 'restore': {
      const startPosition = startPositionOf(request);
      return {
        action: known,
        ...restoreTargetOf(request),
        dryRun: optionalBoolean(request, 'dryRun'),
        allowDataLoss: optionalBoolean(request, 'allowDataLoss'),
        ...(startPosition === undefined ? {} : { startPosition }),
      };
    }
    case 'savepoint':
      return { action: known, waitMs: waitMsOf(request) };
    case 'cancel':
      return { action: known, savepointFirst: optionalBoolean(request, 'savepointFirst') };
    case 'status':
    case 'list':
      return { action: known };
  }
}
