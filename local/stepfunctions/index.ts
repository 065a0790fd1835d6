export * from './coordinator-runner.js';
export * from './execution-history.js';
export * from './validate-coordinator-definition.js';
export type { CoordinatorWait } from './wait-overrides.js';
