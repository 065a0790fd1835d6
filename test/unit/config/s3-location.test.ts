import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../../core/config/edit-distance.js';
import { formatS3Location, parseS3Location } from '../../../core/config/index.js';

describe('parseS3Location', () => {
  it.each([
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { bucket: 'bucket', prefix: '' }],
    ['s3://my.bucket-1/a/b/', { bucket: 'my.bucket-1', prefix: 'a/b' }],
    ['s3a://bucket/a', { bucket: 'bucket', prefix: 'a' }],
    ['s3p://bucket/a', { bucket: 'bucket', prefix: 'a' }],
  ])('reads %s', (uri, expected) => {
    expect(parseS3Location(uri)).toEqual({ ok: true, value: expected });
  });

  it.each([
    'bucket/a',
    'https://bucket/a',
    's3://',
    's3://ab',
    's3://Bucket',
    's3://-bucket',
    's3://a..b',
    's3://bucket/a//b',
    's3://bucket/../x',
  ])('refuses %s, saying what is expected', (uri) => {
    const parsed = parseS3Location(uri);

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(/^expected s3:\/\/bucket or s3:\/\/bucket\/prefix/);
  });

  it('formats a location back into its normalized URI', () => {
    expect(formatS3Location({ bucket: 'b-1', prefix: 'x/y' })).toBe('s3://b-1/x/y');
    expect(formatS3Location({ bucket: 'b-1', prefix: '' })).toBe('s3://b-1');
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['kitten', 'sitting', 3],
    ['interval', 'intervall', 1],
    ['', 'abc', 3],
  ])('between %j and %j is %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
  });

  it('finds the closest candidate', () => {
    expect(closest('min-paus', ['max-concurrent', 'min-pause', 'timeout'])).toEqual({
      candidate: 'min-pause',
      distance: 1,
    });
  });
});
