import { BadInputError } from '../errors/index.js';
import { type CheckpointKind, MAX_CHECKPOINT_ID } from '../ports/checkpoint-store.js';

/**
 * A checkpoint barrier travels through the stream as an ordinary Kinesis record,
 * injected by the coordinator into every shard. It starts with a magic prefix that
 * JSON, UTF-8 text and msgpack user payloads cannot start with (a NUL byte), so
 * telling a barrier from data costs one byte comparison per record.
 */
export interface CheckpointBarrier {
  jobId: string;
  checkpointId: number;
  kind: CheckpointKind;
  triggerTimeMs: number;
}

const MAGIC = Buffer.from('\u0000FLKBARRIER1', 'latin1');

export function encodeBarrier(barrier: CheckpointBarrier): Uint8Array {
  const body = Buffer.from(
    JSON.stringify({
      jobId: barrier.jobId,
      checkpointId: barrier.checkpointId,
      kind: barrier.kind,
      triggerTimeMs: barrier.triggerTimeMs,
    }),
  );
  return Buffer.concat([MAGIC, body]);
}

export function isBarrierRecord(data: Uint8Array): boolean {
  if (data.length < MAGIC.length || data[0] !== 0) return false;
  for (let i = 1; i < MAGIC.length; i++) if (data[i] !== MAGIC[i]) return false;
  return true;
}

/**
 * Returns the barrier, or undefined for a data record. A record with the magic
 * prefix but an unreadable body is not silently treated as data: it throws.
 */
export function parseBarrier(data: Uint8Array): CheckpointBarrier | undefined {
  if (!isBarrierRecord(data)) return undefined;
  const text = Buffer.from(
    data.buffer,
    data.byteOffset + MAGIC.length,
    data.length - MAGIC.length,
  ).toString();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new BarrierFormatError(`body is not JSON: ${text.slice(0, 80)}`, cause);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BarrierFormatError(`expected a JSON object body, found ${text.slice(0, 80)}`);
  }
  const b = parsed as Partial<CheckpointBarrier>;
  if (
    typeof b.jobId !== 'string' ||
    typeof b.checkpointId !== 'number' ||
    !Number.isSafeInteger(b.checkpointId) ||
    b.checkpointId < 0 ||
    b.checkpointId > MAX_CHECKPOINT_ID ||
    (b.kind !== 'CHECKPOINT' && b.kind !== 'SAVEPOINT') ||
    typeof b.triggerTimeMs !== 'number'
  ) {
    throw new BarrierFormatError(
      `expected {jobId, checkpointId, kind, triggerTimeMs}, found ${text.slice(0, 120)}`,
    );
  }
  return { jobId: b.jobId, checkpointId: b.checkpointId, kind: b.kind, triggerTimeMs: b.triggerTimeMs };
}

export class BarrierFormatError extends BadInputError {
  constructor(detail: string, cause?: unknown) {
    super(`malformed checkpoint barrier record: ${detail}`, cause === undefined ? {} : { cause });
    this.name = 'BarrierFormatError';
  }
}
