import type { CoordinatorDefinition } from '../../infra/coordinator-definition.js';

/**
 * Turns the local executor's event log into what AWS would count for the same run:
 * billed state transitions and execution-history events (the 25,000 limit).
 * The local log has only entered/exited/failed/retried/caught per state; AWS adds
 * the task's own events, so those are modelled per task attempt.
 */

/** The subset of aws-local-stepfunctions' EventLog read here. */
export interface ExecutionEvent {
  type: string;
  state?: { name: string; type: string };
}

export interface ExecutionHistoryCounts {
  /** Billed like AWS: "each time a step of your workflow is executed", retries included. */
  transitions: number;
  /** Modelled AWS history events; see historyEventsOf. */
  historyEvents: number;
  /** Events the local executor emitted. */
  localEvents: number;
  /** Times each state was entered (retries not included). */
  stateEntries: Record<string, number>;
}

/**
 * AWS history events a Task attempt adds between TaskStateEntered and TaskStateExited:
 * a Lambda function ARN gives LambdaFunctionScheduled, Started, Succeeded|Failed|TimedOut;
 * an optimised integration (arn:aws:states:::) gives TaskScheduled, Started, Submitted, Succeeded.
 */
export const LAMBDA_EVENTS_PER_TASK_ATTEMPT = 3;
export const INTEGRATION_EVENTS_PER_TASK_ATTEMPT = 4;

export class ExecutionHistoryCounter {
  private readonly counts: ExecutionHistoryCounts = {
    transitions: 0,
    historyEvents: 0,
    localEvents: 0,
    stateEntries: {},
  };

  constructor(private readonly definition: CoordinatorDefinition) {}

  record(event: ExecutionEvent): void {
    this.counts.localEvents += 1;
    this.counts.historyEvents += this.historyEventsOf(event);
    if (event.type === 'StateEntered' || event.type === 'StateRetried') this.counts.transitions += 1;
    if (event.type === 'StateEntered' && event.state !== undefined) {
      const name = event.state.name;
      this.counts.stateEntries[name] = (this.counts.stateEntries[name] ?? 0) + 1;
    }
  }

  snapshot(): ExecutionHistoryCounts {
    return { ...this.counts, stateEntries: { ...this.counts.stateEntries } };
  }

  /**
   * Entered and exited: one each (a Fail state has no exited event, neither here nor
   * in AWS). A Task attempt (the first on entry, one more per retry) adds the task's
   * events. Failed, caught and retried markers add nothing of their own: in AWS the
   * attempt's *Failed event already stands for them.
   */
  private historyEventsOf(event: ExecutionEvent): number {
    switch (event.type) {
      case 'StateEntered':
        return 1 + this.taskEventsPerAttempt(event.state?.name);
      case 'StateRetried':
        return this.taskEventsPerAttempt(event.state?.name);
      case 'StateFailed':
      case 'StateCaught':
        return 0;
      default:
        return 1;
    }
  }

  private taskEventsPerAttempt(stateName: string | undefined): number {
    const state = stateName === undefined ? undefined : this.definition.States[stateName];
    if (state?.Type !== 'Task') return 0;
    const resource = state.Resource;
    return typeof resource === 'string' && resource.startsWith('arn:aws:states:::')
      ? INTEGRATION_EVENTS_PER_TASK_ATTEMPT
      : LAMBDA_EVENTS_PER_TASK_ATTEMPT;
  }
}
