import { BadInputError, type CheckpointFailureReason } from '../errors/index.js';
import { RestoreRefusedError } from '../recovery/restore-errors.js';
import { ControlInputError, ControlRefusedError } from './control-errors.js';
import type { ControlAction } from './control-request.js';

/** A refused request as the console shows it: nothing was changed. */
export interface ControlFailure {
  ok: false;
  action?: ControlAction;
  error: { reason: CheckpointFailureReason; message: string; name: string; field?: string };
  summary: string;
}

/**
 * The console form of a refusal (bad input, a restore or savepoint that cannot
 * be done as asked); undefined for anything else, which the caller rethrows so
 * Lambda reports it as a function error.
 */
export function controlFailure(error: unknown, action?: ControlAction): ControlFailure | undefined {
  if (
    !(error instanceof BadInputError) &&
    !(error instanceof RestoreRefusedError) &&
    !(error instanceof ControlRefusedError)
  ) {
    return undefined;
  }
  return {
    ok: false,
    ...(action === undefined ? {} : { action }),
    error: {
      reason: error.reason,
      name: error.name,
      message: error.message,
      ...(error instanceof ControlInputError ? { field: error.path } : {}),
    },
    summary: `refused: ${error.message}`,
  };
}
