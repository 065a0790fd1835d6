export * from './barrier.js';
export * from './checkpointed-processor.js';
export * from './crash-points.js';
export * from './errors.js';
export * from './types.js';
