export * from './checkpointing-middleware.js';
export * from './kinesis-event.js';
