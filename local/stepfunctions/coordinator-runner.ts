import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { CoordinatorExecutionState } from '../../core/checkpoint/coordinator-execution.js';
import {
  type CoordinatorDefinition,
  type JsonValue,
  loadCoordinatorDefinition,
} from '../../infra/coordinator-definition.js';
import {
  type ExecutionEvent,
  ExecutionHistoryCounter,
  type ExecutionHistoryCounts,
} from './execution-history.js';
import { type CoordinatorWait, createWaitControl } from './wait-overrides.js';

/**
 * Runs the real coordinator definition (infra/coordinator.asl.json) on
 * aws-local-stepfunctions, with RunWindow served by a local handler and
 * ContinueAsNew (startExecution, which the executor cannot call) replaced by a
 * handler that records the new execution's input: the runner then starts that
 * execution itself, as Step Functions would.
 */

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_COORDINATOR_WINDOW_FUNCTION_ARN = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:flinkless-coordinator-window`;

export interface RunWindowContext {
  executionName: string;
  /** The run's signal: a window in flight when it aborts should stop early. */
  signal?: AbortSignal;
}

export type RunWindowHandler = (
  input: CoordinatorExecutionState,
  context: RunWindowContext,
) => Promise<CoordinatorExecutionState> | CoordinatorExecutionState;

export interface RunCoordinatorOptions {
  /** Input of the first execution. */
  input: CoordinatorExecutionState;
  runWindow: RunWindowHandler;
  /** Real time waited per second a Wait state or retry asks for: 1 = as in AWS (default), 0 = none. */
  waitTimeScale?: number;
  /** Told of every Wait state that ran (seconds as in AWS), before the next RunWindow call: advance a fake clock here. */
  onWait?: (wait: CoordinatorWait) => void | Promise<void>;
  /** Stop after this many executions, even if the last one continued as new. Default: no limit. */
  maxExecutions?: number;
  signal?: AbortSignal;
  /** Every event of the local executor, as it happens (logging, debugging). */
  onEvent?: (event: ExecutionEvent, executionName: string) => void;
  stateMachineName?: string;
}

export type CoordinatorExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'CONTINUED_AS_NEW';

export interface CoordinatorExecutionFailure {
  error: string;
  cause: string;
}

export interface CoordinatorExecutionRecord extends ExecutionHistoryCounts {
  name: string;
  input: CoordinatorExecutionState;
  status: CoordinatorExecutionStatus;
  /** RunWindow handler calls, retries included. */
  runWindowCalls: number;
  output?: JsonValue;
  failure?: CoordinatorExecutionFailure;
  /** Input of the next execution, when this one continued as new. */
  continuedAsNewWith?: CoordinatorExecutionState;
}

export interface CoordinatorRunResult {
  /** Status of the last execution. */
  status: CoordinatorExecutionStatus;
  executions: CoordinatorExecutionRecord[];
  /** Billed state transitions over all executions. */
  transitions: number;
  /** Output of the last execution (absent when it failed or was aborted). */
  lastOutput?: JsonValue;
  /** The last state RunWindow returned, in any execution. */
  lastWindowResult?: CoordinatorExecutionState;
  failure?: CoordinatorExecutionFailure;
}

export async function runCoordinatorStateMachine(
  options: RunCoordinatorOptions,
): Promise<CoordinatorRunResult> {
  const definition = loadCoordinatorDefinition({
    CoordinatorWindowFunctionArn: LOCAL_COORDINATOR_WINDOW_FUNCTION_ARN,
  });
  const stateMachineName = options.stateMachineName ?? 'flinkless-coordinator';
  const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${stateMachineName}`;
  // The executor validates (and, through asl-validator, annotates) its own copy.
  const machine = new StateMachine(structuredClone(definition) as unknown as StateMachineDefinition);

  let executionName = '';
  let lastWindowResult: CoordinatorExecutionState | undefined;
  const waits = createWaitControl(definition, options.waitTimeScale ?? 1, () => ({
    executionName,
    lastWindowResult,
  }));
  const flushWaits = async () => {
    for (const wait of waits.takePendingWaits()) await options.onWait?.(wait);
  };

  const executions: CoordinatorExecutionRecord[] = [];
  let input = options.input;
  const maxExecutions = options.maxExecutions ?? Number.POSITIVE_INFINITY;
  while (executions.length < maxExecutions && options.signal?.aborted !== true) {
    executionName = `${input.jobId}-${executions.length + 1}`;
    const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${stateMachineName}:${executionName}`;
    const nextExecutionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${stateMachineName}:${input.jobId}-${executions.length + 2}`;
    let runWindowCalls = 0;
    let continuedAsNewWith: CoordinatorExecutionState | undefined;

    const execution = machine.run(input as unknown as Parameters<StateMachine['run']>[0], {
      noThrowOnAbort: true,
      context: {
        Execution: { Id: executionArn, Name: executionName },
        StateMachine: { Id: stateMachineArn, Name: stateMachineName },
      },
      overrides: {
        taskResourceLocalHandlers: {
          RunWindow: async (windowInput) => {
            await flushWaits();
            runWindowCalls += 1;
            const result = await options.runWindow(windowInput as unknown as CoordinatorExecutionState, {
              executionName,
              signal: options.signal,
            });
            lastWindowResult = result;
            return result as unknown as JsonValue;
          },
          ContinueAsNew: (parameters) => {
            continuedAsNewWith = (parameters as unknown as { Input: CoordinatorExecutionState }).Input;
            // What startExecution returns.
            return { ExecutionArn: nextExecutionArn, StartDate: new Date().toISOString() };
          },
        },
        waitTimeOverrides: waits.waitTimeOverrides,
        retryIntervalOverrides: waits.retryIntervalOverrides,
      },
    });
    const abort = () => execution.abort();
    options.signal?.addEventListener('abort', abort, { once: true });

    const record = await settle(execution, definition, (event) => options.onEvent?.(event, executionName));
    options.signal?.removeEventListener('abort', abort);
    if (record.status !== 'ABORTED') await flushWaits();

    const status =
      record.status === 'SUCCEEDED' && continuedAsNewWith !== undefined ? 'CONTINUED_AS_NEW' : record.status;
    executions.push({ ...record, name: executionName, input, status, runWindowCalls, continuedAsNewWith });
    if (status !== 'CONTINUED_AS_NEW' || continuedAsNewWith === undefined) break;
    input = continuedAsNewWith;
  }

  const last = executions.at(-1);
  return {
    status: last?.status ?? 'ABORTED',
    executions,
    transitions: executions.reduce((sum, execution) => sum + execution.transitions, 0),
    lastOutput: last?.output,
    lastWindowResult,
    failure: last?.failure,
  };
}

type ExecutionOutcome = ExecutionHistoryCounts & {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: JsonValue;
  failure?: CoordinatorExecutionFailure;
};

/** Reads the event log while the execution runs; the terminal event says how it ended. */
async function settle(
  execution: ReturnType<StateMachine['run']>,
  definition: CoordinatorDefinition,
  onEvent: (event: ExecutionEvent) => void,
): Promise<ExecutionOutcome> {
  const counter = new ExecutionHistoryCounter(definition);
  let outcome: Pick<ExecutionOutcome, 'status' | 'output' | 'failure'> = { status: 'ABORTED' };
  const reading = (async () => {
    for await (const event of execution.eventLogs) {
      counter.record(event);
      onEvent(event);
      if (event.type === 'ExecutionSucceeded') outcome = { status: 'SUCCEEDED', output: event.output };
      if (event.type === 'ExecutionFailed') {
        const cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
        outcome = { status: 'FAILED', failure: { error: event.Error, cause } };
      }
      if (event.type === 'ExecutionAborted') outcome = { status: 'ABORTED' };
    }
  })();
  // The result rejects on failure; the terminal event already says why.
  await Promise.allSettled([execution.result, reading]);
  await reading;
  return { ...outcome, ...counter.snapshot() };
}
