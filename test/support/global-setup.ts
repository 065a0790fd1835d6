import type { TestProject } from 'vitest/node';
import { type EmulatorEndpoints, startEmulators } from '../../local/emulators.js';

declare module 'vitest' {
  export interface ProvidedContext {
    emulators: EmulatorEndpoints;
  }
}

/** One set of emulators for the whole run; each test file provisions its own named resources. */
export default async function setup(project: TestProject) {
  const emulators = await startEmulators();
  project.provide('emulators', emulators.endpoints);
  return async () => {
    await emulators.stop();
  };
}
