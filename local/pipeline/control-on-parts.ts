import type { CheckpointConfig } from '../../core/config/index.js';
import type { Clock } from '../../core/ports/clock.js';
import { createControlHandler } from '../../functions/shared/control-handler.js';
import type { PipelineParts } from './parts.js';

export interface ControlOnPartsOptions {
  /** Where savepoints go, under the bucket; default "savepoints". */
  savepointsPrefix?: string;
  /** Between savepoint polls: simulations deliver barriers here instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The console-invoked control function, exactly as deployed, wired to a local
 * pipeline's ports (emulators or memory) instead of the environment.
 */
export function controlHandlerOnParts(
  parts: PipelineParts,
  config: CheckpointConfig,
  clock: Clock,
  options: ControlOnPartsOptions = {},
): ReturnType<typeof createControlHandler> {
  return createControlHandler({
    wiring: () => ({
      config,
      store: parts.store,
      snapshots: parts.snapshots,
      writer: parts.writer,
      clock,
      checkpointsPrefix: 'checkpoints',
      savepointsPrefix: options.savepointsPrefix ?? 'savepoints',
    }),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
}
