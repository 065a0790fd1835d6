/**
 * The JSON that flows through the coordinator state machine (infra/coordinator.asl.json):
 * each RunWindow task receives it and returns the next one. Everything the
 * coordinator must remember between windows rides here, so a window can run in
 * any Lambda container and an execution can continue-as-new without losing it.
 */
export type WindowStatus = 'CONTINUE' | 'STOPPED' | 'FAILED';

export interface CoordinatorCarryState {
  /**
   * What the last window saw, for the status view: trigger time of the last periodic
   * checkpoint, completion time of the last completed one and Flink's failure counter.
   * Decisions never read these: they are derived from the stored records each step.
   */
  lastTriggerTimeMs?: number;
  lastCompletionTimeMs?: number;
  continuousFailureCount: number;
  /** Trigger time of the supervisor's own last trigger: a newer one is the processors'. */
  supervisorTriggerTimeMs?: number;
  /** When the orphan sweep last listed the job's checkpoint files. */
  lastSweepMs?: number;
}

export interface CoordinatorExecutionState {
  jobId: string;
  carry: CoordinatorCarryState;
  /** Windows run in this execution; at maxWindowsPerExecution it continues as a new execution. */
  windowsInExecution: number;
  /** Keeps an execution far below the 25,000-event history limit (7 events per window, 9 with a Wait). */
  maxWindowsPerExecution: number;
  /** Set by a window: what the state machine does next. */
  status?: WindowStatus;
  /** > 0: nothing to do for a while; the state machine waits (free) instead of a running Lambda. */
  sleepSeconds?: number;
  reason?: string;
  /** The last RunWindow failure, set by the state machine's Catch. */
  lastError?: { Error: string; Cause: string };
  /** Consecutive failed RunWindow tasks (reset by a successful one); too many fail the execution. */
  consecutiveTaskErrors?: number;
}

export const DEFAULT_MAX_WINDOWS_PER_EXECUTION = 1_000;

export function initialExecutionState(jobId: string): CoordinatorExecutionState {
  return {
    jobId,
    carry: { continuousFailureCount: 0 },
    windowsInExecution: 0,
    maxWindowsPerExecution: DEFAULT_MAX_WINDOWS_PER_EXECUTION,
  };
}
