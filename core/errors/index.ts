export * from './checkpoint-error.js';
export * from './kinds.js';
