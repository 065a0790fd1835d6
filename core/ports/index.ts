export * from './checkpoint-store.js';
export * from './clock.js';
export * from './event-source-control.js';
export * from './output-sink.js';
export * from './snapshot-store.js';
export * from './stream.js';
