export * from './event-source-mapping.js';
export * from './lambda-context.js';
export * from './shard-source.js';
