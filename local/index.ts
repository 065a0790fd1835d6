export * from './connection.js';
export * from './emulators.js';
export * from './resources.js';
