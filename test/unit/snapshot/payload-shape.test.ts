import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot } from '../../../core/snapshot/index.js';
import { expectCorrupt, frameSnapshot, sampleMeta } from './snapshot-files.js';

describe('decodeSnapshot of well-framed msgpack that is not a snapshot', () => {
  const meta = { ...sampleMeta } as Record<string, unknown>;
  const content = {
    keyed: {},
    operator: {},
    timers: { eventTime: [], processingTime: [] },
    watermarkMs: null,
  };
  it.each<[string, unknown, string]>([
    ['a number instead of the envelope', 42, 'payload'],
    ['an array instead of the envelope', [meta, content], 'payload'],
    ['no meta', { content }, 'meta'],
    ['a numeric jobId', { meta: { ...meta, jobId: 1 }, content }, 'meta.jobId'],
    ['a fractional checkpointId', { meta: { ...meta, checkpointId: 1.5 }, content }, 'meta.checkpointId'],
    ['a negative checkpointId', { meta: { ...meta, checkpointId: -1 }, content }, 'meta.checkpointId'],
    ['a numeric sequenceNumber', { meta: { ...meta, sequenceNumber: 5 }, content }, 'meta.sequenceNumber'],
    ['a string createdAtMs', { meta: { ...meta, createdAtMs: 'now' }, content }, 'meta.createdAtMs'],
    ['no content', { meta }, 'content'],
    ['keyed as an array', { meta, content: { ...content, keyed: [] } }, 'content.keyed'],
    [
      'a keyed state that is not an array',
      { meta, content: { ...content, keyed: { s: { k: 1 } } } },
      'content.keyed["s"]',
    ],
    [
      'a keyed entry that is not a pair',
      { meta, content: { ...content, keyed: { s: [['k']] } } },
      'content.keyed["s"][0]',
    ],
    [
      'a keyed entry with a numeric key',
      {
        meta,
        content: {
          ...content,
          keyed: {
            s: [
              ['a', 1],
              [2, 1],
            ],
          },
        },
      },
      'content.keyed["s"][1]',
    ],
    ['operator state as an array', { meta, content: { ...content, operator: [] } }, 'content.operator'],
    ['no timers', { meta, content: { ...content, timers: undefined } }, 'content.timers'],
    [
      'event timers as an object',
      { meta, content: { ...content, timers: { eventTime: {}, processingTime: [] } } },
      'content.timers.eventTime',
    ],
    [
      'a processing timer without a key',
      { meta, content: { ...content, timers: { eventTime: [], processingTime: [{ timestampMs: 1 }] } } },
      'content.timers.processingTime[0].key',
    ],
    [
      'an event timer with a string timestamp',
      {
        meta,
        content: { ...content, timers: { eventTime: [{ key: 'k', timestampMs: '1' }], processingTime: [] } },
      },
      'content.timers.eventTime[0].timestampMs',
    ],
    ['a string watermark', { meta, content: { ...content, watermarkMs: '5' } }, 'content.watermarkMs'],
    ['a missing watermark', { meta, content: { ...content, watermarkMs: undefined } }, 'content.watermarkMs'],
  ])('rejects valid msgpack with %s as a payload of the wrong shape', (_label, value, path) => {
    // Prepare
    const file = frameSnapshot(pack(value), 'none');

    // Act
    const error = expectCorrupt(() => decodeSnapshot(file), 'BAD_SHAPE');

    // Assess
    expect(error.message).toContain(`expected ${path} to be`);
    expect(error.message).toContain('found');
  });

  it('accepts the same hand-built envelope when its shape is right (the shape cases fail for their defect alone)', () => {
    // Act
    const decoded = decodeSnapshot(frameSnapshot(pack({ meta, content }), 'none'));

    // Assess
    expect(decoded.meta).toStrictEqual(sampleMeta);
    expect(decoded.content).toStrictEqual(content);
  });
});
