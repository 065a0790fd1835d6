import { describe, expect, it } from 'vitest';
import type { CoordinatorExecutionState } from '../../../core/checkpoint/coordinator-execution.js';
import { type RunWindowHandler, runCoordinatorStateMachine } from '../../../local/stepfunctions/index.js';
import { jobInput, nextState, scriptedWindows, taskError } from './fake-windows.js';

const HISTORY_EVENT_LIMIT = 25_000;

describe('coordinator cost: state transitions and execution history', () => {
  it('counts state transitions as AWS bills them, retries included, for a scripted run', async () => {
    // Prepare
    const windows = scriptedWindows([
      { status: 'CONTINUE', sleepSeconds: 5 },
      { throws: 'Service unavailable', name: 'Lambda.ServiceException' },
      { throws: 'window crashed' },
      { status: 'CONTINUE' },
      { status: 'STOPPED' },
    ]);

    // Act
    const result = await runCoordinatorStateMachine({
      input: jobInput(),
      runWindow: windows.handler,
      waitTimeScale: 0,
    });

    // Assess
    // Transitions, by hand:
    //  1 RunWindow (CONTINUE, sleep 5)   2 Route   3 Sleep
    //  4 RunWindow (Lambda.ServiceException)   5 its retry (plain Error: caught)
    //  6 CheckTaskErrors (counter present: the first window reset it to 0)   7 CountTaskError   8 ErrorBackoff
    //  9 RunWindow (CONTINUE)  10 Route  11 RunWindow (STOPPED)  12 Route  13 Stopped
    // History events (AWS model), by hand: ExecutionStarted 1; RunWindow 5 (entered, Lambda scheduled,
    // started, succeeded, exited); Route 2; Sleep 2; RunWindow with one retry 8 (entered, 2 x 3 Lambda
    // events, exited); CheckTaskErrors 2; CountTaskError 2; ErrorBackoff 2; RunWindow 5; Route 2;
    // RunWindow 5; Route 2; Stopped 2; ExecutionSucceeded 1 = 41.
    expect(result.status).toBe('SUCCEEDED');
    expect(result.transitions).toBe(13);
    expect(result.executions[0]?.historyEvents).toBe(41);
  });

  it('costs 3 transitions and 9 history events for a window that sleeps', async () => {
    // Prepare
    const sleepingWindows = (count: number): RunWindowHandler => {
      let calls = 0;
      return (input) => {
        calls += 1;
        return nextState(
          input,
          calls < count ? { status: 'CONTINUE', sleepSeconds: 60 } : { status: 'STOPPED' },
        );
      };
    };

    // Act
    const ten = await runCoordinatorStateMachine({
      input: jobInput(),
      runWindow: sleepingWindows(10),
      waitTimeScale: 0,
    });
    const twenty = await runCoordinatorStateMachine({
      input: jobInput(),
      runWindow: sleepingWindows(20),
      waitTimeScale: 0,
    });

    // Assess
    expect(twenty.transitions - ten.transitions).toBe(10 * 3);
    expect((twenty.executions[0]?.historyEvents ?? 0) - (ten.executions[0]?.historyEvents ?? 0)).toBe(10 * 9);
  });

  it('keeps an execution of 1000 sleeping windows below the 25,000-event history limit', async () => {
    // Prepare
    const runWindow: RunWindowHandler = (input) => nextState(input, { status: 'CONTINUE', sleepSeconds: 1 });

    // Act
    const result = await runCoordinatorStateMachine({
      input: jobInput({ maxWindowsPerExecution: 1000 }),
      runWindow,
      waitTimeScale: 0,
      maxExecutions: 2,
    });

    // Assess
    const [first] = result.executions;
    expect(first?.status).toBe('CONTINUED_AS_NEW');
    expect(first?.runWindowCalls).toBe(1000);
    expect(first?.historyEvents).toBeLessThan(HISTORY_EVENT_LIMIT);
  });

  it('keeps an execution below the history limit when windows keep failing just short of the error limit', async () => {
    // Prepare: each cycle is 5 failed windows, every attempt a retried Lambda error, then one
    // window that succeeds after 3 retries and sleeps: the most history a window can make.
    const serviceError = () => taskError('Service unavailable', 'Lambda.ServiceException');
    let calls = 0;
    const runWindow: RunWindowHandler = (input: CoordinatorExecutionState) => {
      calls += 1;
      const callInCycle = calls % 24; // 5 failed windows x 4 attempts, then 3 retries and a success
      if (callInCycle !== 0) throw serviceError();
      return nextState(input, { status: 'CONTINUE', sleepSeconds: 1 });
    };

    // Act
    const result = await runCoordinatorStateMachine({
      input: jobInput({ maxWindowsPerExecution: 1000 }),
      runWindow,
      waitTimeScale: 0,
      maxExecutions: 1,
    });

    // Assess
    const [first] = result.executions;
    expect(first?.status).toBe('CONTINUED_AS_NEW');
    expect(first?.stateEntries.CountTaskError).toBeGreaterThan(800);
    expect(first?.historyEvents).toBeLessThan(HISTORY_EVENT_LIMIT);
  });
});
