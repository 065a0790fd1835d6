import { OperatorUsageError } from './errors.js';

export type OutputHandler = (value: unknown, key: string) => void;

/**
 * Where ctx.output(value) goes: the framework installs a handler (it decides,
 * by checkpointing mode, when outputs reach the sink). Without one, outputs are
 * counted and dropped, so an operator can be run bare in tests.
 */
export class OutputCollector {
  handler: OutputHandler | undefined;
  dropped = 0;

  constructor(private readonly operatorName: string) {}

  emit(value: unknown, key: string): void {
    if (value === undefined) {
      throw new OperatorUsageError(
        this.operatorName,
        'ctx.output(undefined): emit a value (null is allowed).',
      );
    }
    if (this.handler) this.handler(value, key);
    else this.dropped++;
  }
}
