/** RunWindow: the coordinator state machine's task (infra/coordinator.asl.json). */
import { createCoordinatorWindowHandler } from '../shared/coordinator-window-handler.js';

export const handler = createCoordinatorWindowHandler();
