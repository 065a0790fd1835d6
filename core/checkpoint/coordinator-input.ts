import { BadInputError } from '../errors/index.js';
import type { CoordinatorExecutionState } from './coordinator-execution.js';

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isOptionalTime(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Validates what the state machine hands to RunWindow (someone may start an
 * execution by hand with any JSON): a clear error naming the field, nothing done.
 */
export function parseCoordinatorInput(input: unknown, expectedJobId: string): CoordinatorExecutionState {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new BadInputError(`coordinator input: expected an object like {"jobId": "${expectedJobId}"}`);
  }
  const raw = input as Record<string, unknown>;
  if (raw.jobId !== expectedJobId) {
    throw new BadInputError(
      `coordinator input.jobId: expected "${expectedJobId}" (this deployment's job), found ${JSON.stringify(raw.jobId)}`,
    );
  }
  const carry = (raw.carry ?? {}) as Record<string, unknown>;
  if (typeof carry !== 'object' || carry === null)
    throw new BadInputError('coordinator input.carry: expected an object');
  for (const field of [
    'lastTriggerTimeMs',
    'lastCompletionTimeMs',
    'lastSweepMs',
    'supervisorTriggerTimeMs',
  ] as const) {
    if (!isOptionalTime(carry[field]))
      throw new BadInputError(`coordinator input.carry.${field}: expected epoch ms`);
  }
  const failures = carry.continuousFailureCount ?? 0;
  if (!isCount(failures))
    throw new BadInputError('coordinator input.carry.continuousFailureCount: expected a count');
  const windows = raw.windowsInExecution ?? 0;
  const maxWindows = raw.maxWindowsPerExecution ?? 1_000;
  if (!isCount(windows)) throw new BadInputError('coordinator input.windowsInExecution: expected a count');
  if (!isCount(maxWindows) || maxWindows < 1) {
    throw new BadInputError('coordinator input.maxWindowsPerExecution: expected a positive count');
  }
  return {
    jobId: expectedJobId,
    carry: {
      continuousFailureCount: failures,
      ...(typeof carry.lastTriggerTimeMs === 'number' ? { lastTriggerTimeMs: carry.lastTriggerTimeMs } : {}),
      ...(typeof carry.lastCompletionTimeMs === 'number'
        ? { lastCompletionTimeMs: carry.lastCompletionTimeMs }
        : {}),
      ...(typeof carry.supervisorTriggerTimeMs === 'number'
        ? { supervisorTriggerTimeMs: carry.supervisorTriggerTimeMs }
        : {}),
    },
    windowsInExecution: windows,
    maxWindowsPerExecution: maxWindows,
    ...(isCount(raw.consecutiveTaskErrors) ? { consecutiveTaskErrors: raw.consecutiveTaskErrors } : {}),
  };
}
