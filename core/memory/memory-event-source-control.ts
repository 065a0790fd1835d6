import type { EventSourceControl } from '../ports/event-source-control.js';

/**
 * EventSourceControl for tests and the local runtime: one mapping's Enabled
 * flag, with the reasons it was switched, and `onChange` for a simulator to follow.
 */
export class MemoryEventSourceControl implements EventSourceControl {
  enabled = true;
  readonly history: Array<{ enabled: boolean; reason: string }> = [];

  constructor(private readonly onChange?: (enabled: boolean) => void) {}

  async disable(reason: string): Promise<void> {
    this.history.push({ enabled: false, reason });
    this.enabled = false;
    this.onChange?.(false);
  }

  async enable(reason: string): Promise<number> {
    if (this.enabled) return 0;
    this.history.push({ enabled: true, reason });
    this.enabled = true;
    this.onChange?.(true);
    return 1;
  }
}
