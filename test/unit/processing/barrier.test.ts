import { describe, expect, it } from 'vitest';
import { BadInputError, CheckpointError } from '../../../core/errors/index.js';
import {
  BarrierFormatError,
  type CheckpointBarrier,
  encodeBarrier,
  isBarrierRecord,
  parseBarrier,
} from '../../../core/processing/barrier.js';

const MAGIC = Buffer.from('\u0000FLKBARRIER1', 'latin1');

function withMagic(body: string): Uint8Array {
  return Buffer.concat([MAGIC, Buffer.from(body)]);
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('encodeBarrier / parseBarrier', () => {
  it.each<CheckpointBarrier>([
    { jobId: 'job-a', checkpointId: 1, kind: 'CHECKPOINT', triggerTimeMs: 1_700_000_000_000 },
    { jobId: 'jöb/ünïcode', checkpointId: 999_999_999_999, kind: 'SAVEPOINT', triggerTimeMs: 0 },
  ])('round-trips barrier $jobId #$checkpointId ($kind)', (barrier) => {
    // Act
    const bytes = encodeBarrier(barrier);
    // Assess
    expect(isBarrierRecord(bytes)).toBe(true);
    expect(parseBarrier(bytes)).toEqual(barrier);
  });

  it('parses a barrier that sits inside a larger buffer (non-zero byteOffset)', () => {
    // Prepare
    const barrier: CheckpointBarrier = { jobId: 'j', checkpointId: 7, kind: 'CHECKPOINT', triggerTimeMs: 5 };
    const encoded = encodeBarrier(barrier);
    const backing = new Uint8Array(encoded.length + 10);
    backing.set(encoded, 3);
    const view = backing.subarray(3, 3 + encoded.length);
    // Act / Assess
    expect(parseBarrier(view)).toEqual(barrier);
  });
});

describe('data records are not barriers', () => {
  it.each([
    ['a JSON object', Buffer.from('{"id":"a","amount":1}')],
    ['an empty record', new Uint8Array(0)],
    ['a single NUL byte', new Uint8Array([0])],
    [
      'binary starting with 0x00 but not the magic',
      new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
    ],
    [
      'a magic prefix with one byte changed',
      Buffer.concat([Buffer.from('\u0000FLKBARRIER2', 'latin1'), Buffer.from('{}')]),
    ],
    ['the magic text without the leading NUL', Buffer.from('FLKBARRIER1{"jobId":"j"}')],
    ['UTF-8 text', Buffer.from('héllo wörld')],
  ])('%s is data: isBarrierRecord false, parseBarrier undefined', (_name, data) => {
    // Act / Assess
    expect(isBarrierRecord(data)).toBe(false);
    expect(parseBarrier(data)).toBeUndefined();
  });
});

describe('a record with the magic prefix and a bad body', () => {
  it.each([
    ['a body that is not JSON', '{not json', /body is not JSON/],
    [
      'a body missing the kind',
      '{"jobId":"j","checkpointId":1,"triggerTimeMs":1}',
      /expected \{jobId, checkpointId, kind, triggerTimeMs\}/,
    ],
    [
      'an unknown kind',
      '{"jobId":"j","checkpointId":1,"kind":"SNAPSHOT","triggerTimeMs":1}',
      /expected \{jobId, checkpointId, kind, triggerTimeMs\}/,
    ],
    [
      'a fractional checkpoint id',
      '{"jobId":"j","checkpointId":1.5,"kind":"CHECKPOINT","triggerTimeMs":1}',
      /found .*1\.5/,
    ],
    [
      'a numeric job id',
      '{"jobId":7,"checkpointId":1,"kind":"CHECKPOINT","triggerTimeMs":1}',
      /expected \{jobId/,
    ],
    ['a JSON array', '[1,2,3]', /expected a JSON object body/],
    [
      'a checkpoint id past the 12-digit range',
      '{"jobId":"j","checkpointId":1000000000000,"kind":"CHECKPOINT","triggerTimeMs":0}',
      /expected \{jobId/,
    ],
    [
      'a negative checkpoint id',
      '{"jobId":"j","checkpointId":-1,"kind":"CHECKPOINT","triggerTimeMs":0}',
      /expected \{jobId/,
    ],
  ])(
    'throws BarrierFormatError (BadInputError family) for %s, naming what was expected',
    (_name, body, message) => {
      // Act
      const error = thrownBy(() => parseBarrier(withMagic(body)));
      // Assess
      expect(error).toBeInstanceOf(BarrierFormatError);
      expect(error).toBeInstanceOf(BadInputError);
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).reason).toBe('BAD_INPUT');
      expect((error as Error).name).toBe('BarrierFormatError');
      expect((error as Error).message).toMatch(/malformed checkpoint barrier record/);
      expect((error as Error).message).toMatch(message);
    },
  );

  it('keeps the JSON parse error as the cause', () => {
    // Act
    const error = thrownBy(() => parseBarrier(withMagic('{oops')));
    // Assess
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  // BUG: `JSON.parse('null')` is null and `null.jobId` throws a TypeError, so a
  // magic-prefixed body of `null` escapes the typed-error contract.
  it('throws BarrierFormatError, not a TypeError, for a JSON null body', () => {
    // Act
    const error = thrownBy(() => parseBarrier(withMagic('null')));
    // Assess
    expect(error).toBeInstanceOf(BarrierFormatError);
  });

  // BUG: isBarrierRecord requires data.length > MAGIC.length, so the bare magic
  // (empty body) is classified as a data record and handed to the user's operator,
  // contrary to parseBarrier's contract ("not silently treated as data").
  it('throws BarrierFormatError for the bare magic prefix with an empty body', () => {
    // Act
    const error = thrownBy(() => parseBarrier(MAGIC));
    // Assess
    expect(error).toBeInstanceOf(BarrierFormatError);
  });
});
