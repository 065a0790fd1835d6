import { describe, expect, it } from 'vitest';
import {
  type CoordinatorWait,
  type RunCoordinatorOptions,
  runCoordinatorStateMachine,
} from '../../../local/stepfunctions/index.js';
import { jobInput, scriptedWindows } from './fake-windows.js';

/** No real waiting: Wait states and retry pauses take 0 ms; the waits are still reported. */
function run(options: Omit<RunCoordinatorOptions, 'waitTimeScale'>) {
  return runCoordinatorStateMachine({ waitTimeScale: 0, maxExecutions: 5, ...options });
}

describe('coordinator state machine on the local executor', () => {
  it('ends in Succeed when a window reports STOPPED', async () => {
    // Prepare
    const windows = scriptedWindows([{ status: 'CONTINUE' }, { status: 'STOPPED' }]);

    // Act
    const result = await run({ input: jobInput(), runWindow: windows.handler });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.executions).toHaveLength(1);
    expect(result.executions[0]?.stateEntries.Stopped).toBe(1);
    expect(result.lastOutput).toMatchObject({ status: 'STOPPED', windowsInExecution: 2 });
  });

  it('ends in Fail JobFailed with the window reason as cause when a window reports FAILED', async () => {
    // Prepare
    const reason = 'tolerableFailedCheckpoints (0) exceeded: checkpoint 7 expired';
    const windows = scriptedWindows([{ status: 'FAILED', reason }]);

    // Act
    const result = await run({ input: jobInput(), runWindow: windows.handler });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.failure).toEqual({ error: 'JobFailed', cause: reason });
  });

  it('waits sleepSeconds in Sleep, reported before the next window runs', async () => {
    // Prepare
    const windows = scriptedWindows([{ status: 'CONTINUE', sleepSeconds: 7 }, { status: 'STOPPED' }]);
    let fakeClockMs = 0;
    const waits: CoordinatorWait[] = [];
    const clockAtWindow: number[] = [];
    const runWindow: RunCoordinatorOptions['runWindow'] = (input, context) => {
      clockAtWindow.push(fakeClockMs);
      return windows.handler(input, context);
    };

    // Act
    const result = await run({
      input: jobInput(),
      runWindow,
      onWait: (wait) => {
        waits.push(wait);
        fakeClockMs += wait.seconds * 1000;
      },
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(waits).toEqual([{ executionName: 'job-1-1', stateName: 'Sleep', seconds: 7 }]);
    expect(clockAtWindow).toEqual([0, 7000]);
    expect(result.executions[0]?.stateEntries.Sleep).toBe(1);
  });

  it('fails the execution, as AWS does, when sleepSeconds is not a whole number', async () => {
    // Prepare
    const windows = scriptedWindows([{ status: 'CONTINUE', sleepSeconds: 1.5 }, { status: 'STOPPED' }]);

    // Act
    const result = await run({ input: jobInput(), runWindow: windows.handler });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.failure?.cause).toMatch(
      /\$\.sleepSeconds to be a whole number of seconds >= 0, found 1\.5/,
    );
    expect(windows.inputs).toHaveLength(1);
  });

  it('goes straight back to RunWindow when a window continues without sleeping', async () => {
    // Prepare
    const windows = scriptedWindows([{ status: 'CONTINUE', sleepSeconds: 0 }, { status: 'STOPPED' }]);

    // Act
    const result = await run({ input: jobInput(), runWindow: windows.handler });

    // Assess
    expect(result.executions[0]?.stateEntries.Sleep).toBeUndefined();
    expect(result.executions[0]?.stateEntries.RunWindow).toBe(2);
  });

  it('continues as a new execution at maxWindowsPerExecution, carrying carry and resetting the window count', async () => {
    // Prepare
    const windows = scriptedWindows([
      { status: 'CONTINUE' },
      { status: 'CONTINUE', sleepSeconds: 3 },
      { status: 'CONTINUE', sleepSeconds: 3 },
      { status: 'STOPPED' },
    ]);

    // Act
    const result = await run({ input: jobInput({ maxWindowsPerExecution: 3 }), runWindow: windows.handler });

    // Assess
    const [first, second] = result.executions;
    expect(result.status).toBe('SUCCEEDED');
    expect(result.executions).toHaveLength(2);
    expect(first?.status).toBe('CONTINUED_AS_NEW');
    expect(first?.stateEntries.ContinueAsNew).toBe(1);
    expect(first?.continuedAsNewWith).toEqual({
      jobId: 'job-1',
      carry: { continuousFailureCount: 0, lastTriggerTimeMs: 3 },
      windowsInExecution: 0,
      maxWindowsPerExecution: 3,
      AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID:
        'arn:aws:states:us-east-1:000000000000:execution:flinkless-coordinator:job-1-1',
    });
    expect(second?.input).toEqual(first?.continuedAsNewWith);
    expect(windows.inputs[3]).toMatchObject({ windowsInExecution: 0, carry: { lastTriggerTimeMs: 3 } });
  });

  it('backs off and runs the window again after it throws, counting consecutive task errors', async () => {
    // Prepare
    const windows = scriptedWindows([
      { throws: 'DynamoDB unreachable' },
      { throws: 'DynamoDB unreachable' },
      { throws: 'DynamoDB unreachable again' },
      { status: 'STOPPED' },
    ]);
    const waits: CoordinatorWait[] = [];

    // Act
    const result = await run({
      input: jobInput(),
      runWindow: windows.handler,
      onWait: (wait) => void waits.push(wait),
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(waits.map((wait) => `${wait.stateName}:${wait.seconds}`)).toEqual([
      'ErrorBackoff:30',
      'ErrorBackoff:30',
      'ErrorBackoff:30',
    ]);
    expect(windows.inputs[3]).toMatchObject({
      consecutiveTaskErrors: 3,
      windowsInExecution: 3,
      lastError: { Error: 'Error', Cause: 'DynamoDB unreachable again' },
    });
    expect(result.executions[0]?.stateEntries).toMatchObject({
      CheckTaskErrors: 3,
      InitTaskErrorCount: 1,
      CountTaskError: 3,
    });
    expect(result.lastOutput).toMatchObject({ consecutiveTaskErrors: 0 });
  });

  it('retries a Lambda service error in the task itself, without the error path', async () => {
    // Prepare
    const windows = scriptedWindows([
      { throws: 'Rate exceeded', name: 'Lambda.TooManyRequestsException' },
      { throws: 'Service unavailable', name: 'Lambda.ServiceException' },
      { status: 'STOPPED' },
    ]);

    // Act
    const result = await run({ input: jobInput(), runWindow: windows.handler });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.executions[0]?.runWindowCalls).toBe(3);
    expect(result.executions[0]?.stateEntries.RunWindow).toBe(1);
    expect(result.executions[0]?.stateEntries.CheckTaskErrors).toBeUndefined();
  });

  it('fails with CoordinatorFailed and the last task error as cause after 6 consecutive failures', async () => {
    // Prepare
    const windows = scriptedWindows(
      [1, 2, 3, 4, 5, 6].map((attempt) => ({ throws: `window crash ${attempt}` })),
    );

    // Act
    const result = await run({ input: jobInput(), runWindow: windows.handler });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.failure).toEqual({ error: 'CoordinatorFailed', cause: 'window crash 6' });
    expect(result.executions[0]?.runWindowCalls).toBe(6);
    expect(result.executions[0]?.stateEntries.ErrorBackoff).toBe(5);
  });

  it('starts counting task errors again after a successful window', async () => {
    // Prepare
    const crash = { throws: 'window crash' };
    const windows = scriptedWindows([
      crash,
      crash,
      crash,
      crash,
      crash,
      { status: 'CONTINUE' },
      crash,
      { status: 'STOPPED' },
    ]);

    // Act
    const result = await run({ input: jobInput(), runWindow: windows.handler });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(windows.inputs[7]).toMatchObject({ consecutiveTaskErrors: 1 });
  });

  it('stops after maxExecutions when every execution continues as new', async () => {
    // Prepare
    const windows = scriptedWindows(Array.from({ length: 10 }, () => ({ status: 'CONTINUE' as const })));

    // Act
    const result = await run({
      input: jobInput({ maxWindowsPerExecution: 1 }),
      runWindow: windows.handler,
      maxExecutions: 3,
    });

    // Assess
    expect(result.status).toBe('CONTINUED_AS_NEW');
    expect(result.executions.map((execution) => execution.runWindowCalls)).toEqual([1, 1, 1]);
  });

  it('stops when the signal aborts, without starting another window or execution', async () => {
    // Prepare
    const controller = new AbortController();
    const windows = scriptedWindows(Array.from({ length: 10 }, () => ({ status: 'CONTINUE' as const })));
    let calls = 0;
    const runWindow: RunCoordinatorOptions['runWindow'] = (input, context) => {
      calls += 1;
      if (calls === 2) controller.abort();
      return windows.handler(input, context);
    };

    // Act
    const result = await run({ input: jobInput(), runWindow, signal: controller.signal });

    // Assess
    expect(result.status).toBe('ABORTED');
    expect(result.executions).toHaveLength(1);
    expect(calls).toBe(2);
  });
});
