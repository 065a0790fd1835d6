import { NoKeyedContextError } from './errors.js';

/**
 * The current key, shared by every keyed state object and the timer service of one
 * runtime. Set by the runtime around processElement and each onTimer, null otherwise,
 * so a stray use of ctx fails loudly instead of touching some other key's state.
 */
export class KeyContext {
  currentKey: string | null = null;

  constructor(readonly operatorName: string) {}

  missing(stateName: string): never {
    throw new NoKeyedContextError(this.operatorName, stateName);
  }
}
