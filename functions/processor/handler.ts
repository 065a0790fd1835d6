/**
 * The deployed processor: the click-counter example operator. Replace the
 * operator with yours; everything else stays.
 */
import { clickCounter } from '../../core/state/examples/click-counter.js';
import { createProcessorHandler } from '../shared/processor-handler.js';

export const handler = createProcessorHandler(clickCounter);
