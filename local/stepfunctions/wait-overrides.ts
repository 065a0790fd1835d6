import type { CoordinatorExecutionState } from '../../core/checkpoint/coordinator-execution.js';
import { BadInputError } from '../../core/errors/index.js';
import type { CoordinatorDefinition, JsonObject } from '../../infra/coordinator-definition.js';

/**
 * Local control of the definition's Wait states and retry pauses.
 *
 * aws-local-stepfunctions only takes a fixed override in ms per state name. It reads
 * `waitTimeOverrides[stateName]` once each time the Wait state runs, so each
 * override here is a getter: it works out the seconds AWS would wait, queues them
 * for the onWait hook, and returns the scaled real pause. The seconds come from
 * the definition (`Seconds`) or from the last RunWindow result (`SecondsPath`):
 * Route passes that result to Sleep unchanged.
 */

export interface CoordinatorWait {
  executionName: string;
  stateName: string;
  /** What AWS would wait. */
  seconds: number;
}

export interface WaitControl {
  waitTimeOverrides: Record<string, number>;
  retryIntervalOverrides: Record<string, number[]>;
  /** Waits that ran since the last call, oldest first. */
  takePendingWaits(): CoordinatorWait[];
}

export function createWaitControl(
  definition: CoordinatorDefinition,
  waitTimeScale: number,
  current: () => { executionName: string; lastWindowResult: CoordinatorExecutionState | undefined },
): WaitControl {
  let pending: CoordinatorWait[] = [];
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number[]> = {};

  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type === 'Wait') {
      Object.defineProperty(waitTimeOverrides, stateName, {
        enumerable: true,
        get: () => {
          const { executionName, lastWindowResult } = current();
          const seconds = waitSecondsOf(stateName, state, lastWindowResult);
          pending.push({ executionName, stateName, seconds });
          return seconds * 1000 * waitTimeScale;
        },
      });
    }
    // A fixed pause per retrier: the executor cannot scale BackoffRate growth.
    if (waitTimeScale !== 1 && Array.isArray(state.Retry)) {
      retryIntervalOverrides[stateName] = state.Retry.map((retrier) => {
        const intervalSeconds = (retrier as JsonObject).IntervalSeconds;
        return (typeof intervalSeconds === 'number' ? intervalSeconds : 1) * 1000 * waitTimeScale;
      });
    }
  }

  return {
    waitTimeOverrides,
    retryIntervalOverrides,
    takePendingWaits: () => {
      const taken = pending;
      pending = [];
      return taken;
    },
  };
}

function waitSecondsOf(
  stateName: string,
  state: JsonObject,
  lastWindowResult: CoordinatorExecutionState | undefined,
): number {
  if (typeof state.Seconds === 'number') return state.Seconds;
  const path = state.SecondsPath;
  const field = typeof path === 'string' ? /^\$\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(path)?.[1] : undefined;
  if (field === undefined) {
    throw new BadInputError(
      `Wait state ${stateName}: expected Seconds or a top-level SecondsPath ($.field), found ` +
        `${JSON.stringify(path ?? state)}. The local runner cannot know this wait's length; extend wait-overrides.ts.`,
    );
  }
  const seconds = (lastWindowResult as Record<string, unknown> | undefined)?.[field];
  // AWS fails the execution (States.Runtime) on anything but a non-negative integer.
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
    throw new BadInputError(
      `Wait state ${stateName}: expected ${path} to be a whole number of seconds >= 0, found ` +
        `${JSON.stringify(seconds)}. RunWindow must return sleepSeconds as an integer.`,
    );
  }
  return seconds;
}
