import type {
  CoordinatorExecutionState,
  WindowStatus,
} from '../../../core/checkpoint/coordinator-execution.js';
import type { RunWindowHandler } from '../../../local/stepfunctions/index.js';

/** What a scripted window does: return a decision, or throw. */
export type WindowStep =
  | { status: WindowStatus; sleepSeconds?: number; reason?: string }
  | { throws: string; name?: string };

/** The next state as the real RunWindow returns it: one more window, error count reset. */
export function nextState(
  input: CoordinatorExecutionState,
  decision: { status: WindowStatus; sleepSeconds?: number; reason?: string },
): CoordinatorExecutionState {
  return {
    jobId: input.jobId,
    carry: { ...input.carry, lastTriggerTimeMs: (input.carry.lastTriggerTimeMs ?? 0) + 1 },
    windowsInExecution: input.windowsInExecution + 1,
    maxWindowsPerExecution: input.maxWindowsPerExecution,
    consecutiveTaskErrors: 0,
    ...decision,
  };
}

export function taskError(message: string, name = 'Error'): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** A RunWindow that follows a script, one step per call, and remembers every input it saw. */
export function scriptedWindows(steps: readonly WindowStep[]): {
  handler: RunWindowHandler;
  inputs: CoordinatorExecutionState[];
} {
  const inputs: CoordinatorExecutionState[] = [];
  const handler: RunWindowHandler = (input) => {
    const step = steps[inputs.length];
    inputs.push(structuredClone(input));
    if (step === undefined)
      throw new Error(`script has ${steps.length} steps, call ${inputs.length} has none`);
    if ('throws' in step) throw taskError(step.throws, step.name);
    return nextState(input, step);
  };
  return { handler, inputs };
}

export function jobInput(overrides: Partial<CoordinatorExecutionState> = {}): CoordinatorExecutionState {
  return {
    jobId: 'job-1',
    carry: { continuousFailureCount: 0 },
    windowsInExecution: 0,
    maxWindowsPerExecution: 1000,
    ...overrides,
  };
}
