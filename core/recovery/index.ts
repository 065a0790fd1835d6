export { formatDurationMs } from './format-duration.js';
export * from './restart-history.js';
export * from './restart-status.js';
export * from './restart-strategies.js';
