import type { Context } from 'aws-lambda';
import {
  type CoordinatorDependencies,
  type CoordinatorSettings,
  DEFAULT_COORDINATOR_SETTINGS,
  runCoordinatorWindow,
  type WindowStatistics,
} from '../../core/checkpoint/checkpoint-coordinator.js';
import type { CoordinatorExecutionState } from '../../core/checkpoint/coordinator-execution.js';
import { parseCoordinatorInput } from '../../core/checkpoint/coordinator-input.js';
import { checkpointPrefix, jobPrefix } from '../../core/checkpoint/storage-location.js';
import { type Wiring, wiringFromEnvironment } from './wiring.js';

/** What RunWindow needs of the wiring (tests and the local runtime build just this). */
export type CoordinatorWiring = Pick<
  Wiring,
  'config' | 'store' | 'snapshots' | 'writer' | 'clock' | 'checkpointsPrefix'
>;

export interface CoordinatorWindowHandlerOptions {
  wiring?: () => CoordinatorWiring;
  /** Injected for time-compressed tests; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  settings?: Partial<
    Pick<CoordinatorSettings, 'windowMs' | 'ackPollMs' | 'handBackAfterIdleMs' | 'processorGraceMs'>
  >;
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** Accumulates what the windows did (tests, the local runtime's progress line). */
  stats?: WindowStatistics;
  /** Stop this long before the Lambda deadline, so the task always returns in time. */
  deadlineBufferMs?: number;
}

/** The RunWindow task of the coordinator state machine. */
export function createCoordinatorWindowHandler(options: CoordinatorWindowHandlerOptions = {}) {
  let wiring: CoordinatorWiring | undefined;
  return async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    wiring ??= (options.wiring ?? wiringFromEnvironment)();
    const input: CoordinatorExecutionState = parseCoordinatorInput(event, wiring.config.jobId);
    const { config } = wiring;
    const deps: CoordinatorDependencies = {
      store: wiring.store,
      snapshots: wiring.snapshots,
      writer: wiring.writer,
      clock: wiring.clock,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      log:
        options.log ?? ((event, fields) => console.log(JSON.stringify({ level: 'info', event, ...fields }))),
    };
    const checkpointsPrefix = wiring.checkpointsPrefix;
    const settings: CoordinatorSettings = {
      ...DEFAULT_COORDINATOR_SETTINGS,
      supervisorIntervalMs: config.supervisorIntervalMs,
      ...options.settings,
      jobId: config.jobId,
      config,
      storagePrefixFor: (id) => checkpointPrefix(checkpointsPrefix, config.jobId, id).replace(/\/$/, ''),
      jobStoragePrefix: jobPrefix(checkpointsPrefix, config.jobId).replace(/\/$/, ''),
    };
    const deadlineMs =
      wiring.clock.nowMs() + context.getRemainingTimeInMillis() - (options.deadlineBufferMs ?? 15_000);
    return runCoordinatorWindow(deps, settings, input, deadlineMs, options.stats);
  };
}
