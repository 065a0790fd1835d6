export * from './control-actions.js';
export * from './control-errors.js';
export * from './control-failure.js';
export * from './control-request.js';
export * from './control-types.js';
export * from './savepoint-action.js';
export * from './status-view.js';
