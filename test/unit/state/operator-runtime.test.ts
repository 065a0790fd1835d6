import { describe, expect, it } from 'vitest';
import { BadInputError, isCheckpointError, NotFoundError } from '../../../core/errors/index.js';
import type { StreamRecord } from '../../../core/ports/stream.js';
import {
  BadRecordError,
  defineOperator,
  OperatorRuntime,
  OperatorUsageError,
  type RecordMetadata,
  valueState,
} from '../../../core/state/index.js';
import { bytesRecord, jsonRecord, SHARD_ID } from './records.js';

function counter(
  extra: { decode?: (data: Uint8Array, record: StreamRecord) => unknown; timestampOf?: () => number } = {},
) {
  const events: unknown[] = [];
  const definition = defineOperator({
    name: 'counter',
    state: { count: valueState({ default: 0 }) },
    ...extra,
    processElement(event: unknown, ctx) {
      events.push(event);
      ctx.state.count.update(ctx.state.count.value() + 1);
    },
  });
  return { events, runtime: new OperatorRuntime(definition, { shardId: SHARD_ID }) };
}

describe('OperatorRuntime.processRecord', () => {
  it('decodes UTF-8 JSON by default', () => {
    const { events, runtime } = counter();
    runtime.processRecord(jsonRecord('a', { page: '/é', n: 1 }));
    expect(events).toEqual([{ page: '/é', n: 1 }]);
  });

  it('passes the bytes and the record to a custom decode', () => {
    // Prepare
    const seen: Array<[number, string]> = [];
    const { events, runtime } = counter({
      decode: (data, record) => {
        seen.push([data.length, record.partitionKey]);
        return data[0];
      },
    });
    // Act
    runtime.processRecord(bytesRecord('k', new Uint8Array([9, 8, 7])));
    // Assess
    expect(seen).toEqual([[3, 'k']]);
    expect(events).toEqual([9]);
  });

  it('wraps a decode failure in BadRecordError naming shard and sequence number, cause kept, state untouched', () => {
    // Prepare
    const { events, runtime } = counter();
    const record = bytesRecord('a', new TextEncoder().encode('{not json'));
    // Act
    const error = captureError(() => runtime.processRecord(record));
    // Assess
    expect(error).toBeInstanceOf(BadRecordError);
    expect(error).toBeInstanceOf(BadInputError);
    expect(isCheckpointError(error, 'BAD_INPUT')).toBe(true);
    expect(error).toMatchObject({
      shardId: SHARD_ID,
      sequenceNumber: record.sequenceNumber,
      stage: 'decode',
    });
    expect((error as Error).message).toContain(`record ${record.sequenceNumber} of shard ${SHARD_ID}`);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    expect(events).toEqual([]);
    expect(runtime.keyedEntries('count')).toEqual([]);
  });

  it('rejects bytes that are not valid UTF-8 under the default decode', () => {
    const { runtime } = counter();
    expect(() => runtime.processRecord(bytesRecord('a', new Uint8Array([0x7b, 0xff, 0x7d])))).toThrow(
      BadRecordError,
    );
  });

  it('wraps a throwing or non-finite timestampOf in BadRecordError', () => {
    const throwing = counter({
      timestampOf: () => {
        throw new Error('no ts');
      },
    });
    const nan = counter({ timestampOf: () => Number.NaN });
    expect(captureError(() => throwing.runtime.processRecord(jsonRecord('a', {})))).toMatchObject({
      name: 'BadRecordError',
      stage: 'timestamp',
    });
    expect(() => nan.runtime.processRecord(jsonRecord('a', {}))).toThrow(/returned NaN/);
  });

  it('propagates an exception thrown by processElement as the same object', () => {
    // Prepare
    const userError = new RangeError('user bug');
    const runtime = new OperatorRuntime(
      defineOperator({
        name: 'thrower',
        processElement() {
          throw userError;
        },
      }),
    );
    // Act / Assess
    expect(captureError(() => runtime.processRecord(jsonRecord('a', {})))).toBe(userError);
  });

  it('gives processElement the record metadata and the arrival time as timestamp by default', () => {
    // Prepare
    let seen: { record: RecordMetadata; timestampMs: number } | undefined;
    const runtime = new OperatorRuntime(
      defineOperator({
        name: 'meta',
        processElement(_event, ctx) {
          seen = { record: { ...ctx.record }, timestampMs: ctx.timestampMs };
        },
      }),
    );
    const record = jsonRecord('pk-1', {}, { arrivalTimeMs: 1_700_000_000_000 });
    // Act
    runtime.processRecord(record);
    // Assess
    expect(seen).toMatchObject({
      record: {
        shardId: SHARD_ID,
        sequenceNumber: record.sequenceNumber,
        partitionKey: 'pk-1',
        arrivalTimeMs: 1_700_000_000_000,
      },
      timestampMs: 1_700_000_000_000,
    });
  });

  it('refuses a record of another shard', () => {
    const { runtime } = counter();
    expect(() => runtime.processRecord(jsonRecord('a', {}, { shardId: 'shardId-000000000009' }))).toThrow(
      /runs shard shardId-000000000000 but was given record .* of shard shardId-000000000009/,
    );
  });

  it('refuses an async processElement', () => {
    const runtime = new OperatorRuntime(
      defineOperator({
        name: 'async',
        processElement: async () => undefined,
      }),
    );
    expect(() => runtime.processRecord(jsonRecord('a', {}))).toThrow(OperatorUsageError);
  });
});

describe('operator state', () => {
  const definition = defineOperator({
    name: 'ops',
    operatorState: { processed: 0, names: [] as string[] },
    processElement(event: { name: string }, ctx) {
      ctx.operatorState.update('processed', (n) => n + 1);
      ctx.operatorState.set('names', [...ctx.operatorState.get('names'), event.name]);
    },
  });

  it('starts from the initial values and keeps what processElement sets', () => {
    const runtime = new OperatorRuntime(definition);
    const initial = runtime.operatorStateValue('processed');
    runtime.processRecord(jsonRecord('a', { name: 'x' }));
    runtime.processRecord(jsonRecord('b', { name: 'y' }));
    expect([initial, runtime.operatorStateValue('processed'), runtime.operatorStateValue('names')]).toEqual([
      0,
      2,
      ['x', 'y'],
    ]);
  });

  it('gives every runtime its own copy of the initial values', () => {
    const first = new OperatorRuntime(definition);
    const second = new OperatorRuntime(definition);
    first.operatorStateValue('names').push('mutated in place');
    expect(second.operatorStateValue('names')).toEqual([]);
    expect(definition.operatorState.names).toEqual([]);
  });

  it('rejects a name that was not declared', () => {
    const runtime = new OperatorRuntime(definition);
    expect(() => runtime.operatorStateValue('nope' as 'processed')).toThrow(
      /operatorState 'nope' is not declared/,
    );
  });
});

describe('introspection', () => {
  it('counts distinct keys across states and registered timers', () => {
    // Prepare
    const runtime = new OperatorRuntime(
      defineOperator({
        name: 'stats',
        state: { a: valueState<number>(), b: valueState<number>() },
        processElement(event: { a?: boolean; b?: boolean }, ctx) {
          if (event.a) ctx.state.a.update(1);
          if (event.b) ctx.state.b.update(1);
          ctx.timerService.registerProcessingTimeTimer(1);
        },
        onTimer() {},
      }),
    );
    // Act
    runtime.processRecord(jsonRecord('k1', { a: true, b: true }));
    runtime.processRecord(jsonRecord('k2', { b: true }));
    runtime.processRecord(jsonRecord('k3', {}));
    // Assess
    expect(runtime.stats()).toEqual({ keys: 2, timers: 3 });
  });

  it('names the declared states when asked for an unknown one', () => {
    const { runtime } = counter();
    expect(() => runtime.keyedEntries('nope' as 'count')).toThrow(NotFoundError);
    expect(() => runtime.keyedEntries('nope' as 'count')).toThrow(/declared: count/);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
