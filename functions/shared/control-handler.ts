import { LambdaEventSourceControl } from '../../core/aws/lambda-event-source-control.js';
import { parseStorageLocation } from '../../core/checkpoint/storage-location.js';
import {
  type ControlFailure,
  type ControlRequest,
  type ControlResult,
  type ControlSettings,
  controlFailure,
  parseControlRequest,
  runControlAction,
} from '../../core/control/index.js';
import type { EventSourceControl } from '../../core/ports/event-source-control.js';
import { type Wiring, wiringFromEnvironment } from './wiring.js';

/** What the control function needs of the wiring (tests and the CLI build just this). */
export type ControlWiring = Pick<
  Wiring,
  'config' | 'store' | 'snapshots' | 'writer' | 'clock' | 'checkpointsPrefix' | 'savepointsPrefix'
> & {
  /** The processor's event source mappings, re-enabled by a restore (FLINKLESS_PROCESSOR_FUNCTION). */
  eventSource?: EventSourceControl;
};

/** The deployed control function's wiring: the shared one plus the processor's event source mappings. */
export function controlWiringFromEnvironment(
  env: Record<string, string | undefined> = process.env,
): ControlWiring & Pick<Wiring, 'clients'> {
  const wiring = wiringFromEnvironment(env);
  const processorFunction = env.FLINKLESS_PROCESSOR_FUNCTION;
  return {
    ...wiring,
    ...(processorFunction
      ? { eventSource: new LambdaEventSourceControl(wiring.clients.lambda(), processorFunction) }
      : {}),
  };
}

export interface ControlHandlerOptions {
  wiring?: () => ControlWiring;
  /** Between savepoint polls; injected for tests, defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function controlSettings(wiring: ControlWiring): ControlSettings {
  const { config } = wiring;
  return {
    jobId: config.jobId,
    checkpointsPrefix: wiring.checkpointsPrefix,
    savepointsPrefix: wiring.savepointsPrefix,
    bucket: parseStorageLocation(config.checkpointsDir, 'checkpointing.checkpointsDir').bucket,
    externalizedCheckpointCleanup: config.externalizedCheckpointCleanup,
    preferCheckpointForRecovery: config.preferCheckpointForRecovery,
    restartStrategy: config.restartStrategy,
  };
}

/** Runs a parsed request; a refusal comes back as `{ ok: false }`, any other error is thrown. */
export async function runControlRequest(
  wiring: ControlWiring,
  sleep: (ms: number) => Promise<void>,
  request: ControlRequest,
): Promise<ControlResult | ControlFailure> {
  const deps = {
    store: wiring.store,
    snapshots: wiring.snapshots,
    writer: wiring.writer,
    clock: wiring.clock,
    sleep,
    ...(wiring.eventSource ? { eventSource: wiring.eventSource } : {}),
  };
  try {
    return await runControlAction(deps, controlSettings(wiring), request);
  } catch (error) {
    const failure = controlFailure(error, request.action);
    if (failure) return failure;
    throw error;
  }
}

/**
 * The console-invoked control function: restore, savepoint, cancel, status,
 * list. Returns plain JSON; bad input and refusals are answers (`ok: false`),
 * not function errors, so the console shows the reason instead of a stack trace.
 */
export function createControlHandler(options: ControlHandlerOptions = {}) {
  let wiring: ControlWiring | undefined;
  return async (event: unknown): Promise<ControlResult | ControlFailure> => {
    let request: ControlRequest;
    try {
      request = parseControlRequest(event);
    } catch (error) {
      const failure = controlFailure(error);
      if (failure) return failure;
      throw error;
    }
    wiring ??= (options.wiring ?? controlWiringFromEnvironment)();
    return runControlRequest(wiring, options.sleep ?? realSleep, request);
  };
}
