import { CheckpointError } from '../../core/errors/index.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ReplayStart, StreamReader, StreamRecord } from '../../core/ports/stream.js';
import type { FaultPlan } from './fault-classes.js';

/**
 * Wraps a StreamReader so that seeded replay pages fail as Kinesis does when the
 * reader's own retries give up: an expired iterator or exhausted read
 * throughput. The processor fails the batch and the event source retries it.
 */
export function faultyStreamReader(reader: StreamReader, plan: FaultPlan): StreamReader {
  return {
    async *readRange(
      shardId: string,
      start: ReplayStart,
      beforeSequenceNumber: string,
    ): AsyncIterable<StreamRecord[]> {
      const fail = () => {
        if (!plan.fires('kinesis-iterator-expired', 'expired iterator')) return;
        throw new CheckpointError(
          'ITERATOR_EXPIRED',
          `injected fault: the shard iterator of ${shardId} expired during replay (or read throughput was exceeded); retry the batch`,
          { retryable: true },
        );
      };
      fail();
      for await (const page of reader.readRange(shardId, start, beforeSequenceNumber)) {
        fail();
        yield page;
      }
    },
  };
}

/** The processors' clock, off from the coordinator's by a fixed offset. */
export function skewedClock(clock: Clock, offsetMs: number): Clock {
  return { nowMs: () => clock.nowMs() + offsetMs };
}
