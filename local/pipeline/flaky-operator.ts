import { type AnyOperatorDefinition, defineOperator } from '../../core/state/index.js';

/** What a transient failure inside user code throws (a timeout calling a service, say). */
export class TransientRecordError extends Error {
  constructor(sequenceNumber: string) {
    super(`transient failure processing record ${sequenceNumber}`);
    this.name = 'TransientRecordError';
  }
}

/**
 * Wraps an operator so that processing a record fails the first time it is seen,
 * with the given probability, AFTER the wrapped operator has half-updated state:
 * the worst case for partial batch failures.
 */
export function flakyOperator(
  operator: AnyOperatorDefinition,
  failureRate: number,
  random: () => number,
): AnyOperatorDefinition {
  const seen = new Set<string>();
  return defineOperator({
    name: operator.name,
    state: operator.state,
    operatorState: operator.operatorState,
    outOfOrdernessMs: operator.outOfOrdernessMs,
    decode: operator.decode,
    ...(operator.timestampOf ? { timestampOf: operator.timestampOf } : {}),
    ...(operator.onTimer ? { onTimer: operator.onTimer } : {}),
    processElement(event, ctx) {
      operator.processElement(event, ctx);
      const seq = ctx.record.sequenceNumber;
      if (seen.has(seq)) return;
      seen.add(seq);
      if (random() < failureRate) throw new TransientRecordError(seq);
    },
  });
}
