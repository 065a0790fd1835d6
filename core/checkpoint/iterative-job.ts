import { ConfigError } from '../errors/index.js';

export interface PipelineTopology {
  /** The stream the processor consumes. */
  inputStream: string;
  /** Where ctx.output goes, if anywhere. */
  outputStream?: string;
}

export const ITERATIVE_JOB_WARNING =
  'iterative job (its outputs feed its own input) checkpointed with force: true. As in Flink, records in ' +
  'flight on the feedback edge are not part of any checkpoint: after a failure or a restore, outputs ' +
  'written back into the input stream after the checkpoint are replayed from the stream, and outputs ' +
  'published again after a cold start come around again: loop records may be applied more than once ' +
  'unless the operator drops output ids it has already seen (see the force option in the README).';

/**
 * Flink refuses to checkpoint iterative jobs unless forced, because records in
 * flight on the loop edge are not covered by checkpoints. A processor whose
 * sink is its own input stream is such a loop. Returns the warning to log when
 * forced; throws a ConfigError naming the fields otherwise.
 */
export function checkIterativeJob(topology: PipelineTopology, force: boolean): string | undefined {
  if (topology.outputStream === undefined || topology.outputStream !== topology.inputStream) return undefined;
  if (!force) {
    throw new ConfigError(
      'checkpointing.force',
      `the output stream "${topology.outputStream}" is the job's own input stream (a feedback edge): ` +
        'records in flight on the loop are not covered by checkpoints, so they may be applied again after a failure. ' +
        'Use another output stream, or set force: true (FLINKLESS_FORCE=true) to accept that.',
    );
  }
  return ITERATIVE_JOB_WARNING;
}
