/** The control function: invoke it from the Lambda console with an events/control-*.json body. */
import { createControlHandler } from '../shared/control-handler.js';

export const handler = createControlHandler();
