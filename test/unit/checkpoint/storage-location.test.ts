import { describe, expect, it } from 'vitest';
import {
  checkpointKey,
  checkpointPrefix,
  jobPrefix,
  parseStorageLocation,
  savepointKey,
  savepointPrefix,
} from '../../../core/checkpoint/storage-location.js';
import { ConfigError } from '../../../core/errors/index.js';

describe('parseStorageLocation', () => {
  it.each([
    ['s3://my-bucket/checkpoints/prod', { bucket: 'my-bucket', prefix: 'checkpoints/prod' }],
    ['s3://my-bucket/checkpoints/', { bucket: 'my-bucket', prefix: 'checkpoints' }],
    ['s3://my-bucket', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/', { bucket: 'my-bucket', prefix: '' }],
    ['s3://a.b-c1/x', { bucket: 'a.b-c1', prefix: 'x' }],
  ])('parses %s into bucket and prefix', (dir, expected) => {
    // Act
    const location = parseStorageLocation(dir, 'state.checkpoints.dir');

    // Assess
    expect(location).toEqual(expected);
  });

  it.each([
    ['a path without scheme', '/tmp/checkpoints'],
    ['another scheme', 'hdfs://namenode/checkpoints'],
    ['no bucket', 's3:///prefix'],
    ['an uppercase bucket', 's3://My-Bucket/x'],
    ['a two-letter bucket', 's3://ab/x'],
    ['an IP address bucket', 's3://192.168.1.1/x'],
    ['an empty prefix segment', 's3://bucket/a//b'],
    ['a dot-dot segment', 's3://bucket/a/../b'],
    ['a non-string value', 42],
  ])('refuses %s with a ConfigError naming the field path', (_what, dir) => {
    // Act
    let error: unknown;
    try {
      parseStorageLocation(dir, 'state.savepoints.dir');
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe('state.savepoints.dir');
    expect((error as Error).message).toMatch(/^state\.savepoints\.dir: expected 's3:\/\/<bucket>'/);
  });
});

describe('snapshot keys', () => {
  it('builds checkpoint and savepoint keys under the prefix', () => {
    // Act + Assess
    expect(checkpointKey('ckpts/prod', 'job-a', 42, 'shardId-000000000001', 'u-1')).toBe(
      'ckpts/prod/job-a/chk-42/shardId-000000000001-u-1.snap',
    );
    expect(savepointKey('sp', 'job-a', 7, 'shardId-000000000001', 'u-2')).toBe(
      'sp/job-a/savepoint-7/shardId-000000000001-u-2.snap',
    );
  });

  it('has no leading slash when the dir is the bucket root', () => {
    // Act + Assess
    expect(checkpointKey('', 'job-a', 1, 's', 'u')).toBe('job-a/chk-1/s-u.snap');
    expect(jobPrefix('', 'job-a')).toBe('job-a/');
    expect(checkpointPrefix('', 'job-a', 3)).toBe('job-a/chk-3/');
    expect(savepointPrefix('/', 'job-a', 3)).toBe('job-a/savepoint-3/');
  });

  it('ends prefixes with a slash so that one job or checkpoint never lists another', () => {
    // Act
    const prefix = jobPrefix('p', 'job');
    const chk = checkpointPrefix('p', 'job', 1);

    // Assess
    expect('p/job-2/chk-1/x.snap'.startsWith(prefix)).toBe(false);
    expect(checkpointKey('p', 'job', 12, 's', 'u').startsWith(chk)).toBe(false);
    expect(checkpointKey('p', 'job', 1, 's', 'u').startsWith(chk)).toBe(true);
  });

  it('refuses ids that would change the key layout', () => {
    // Act + Assess
    expect(() => jobPrefix('p', 'a/b')).toThrow(/job id must be a non-empty key segment/);
    expect(() => checkpointKey('p', 'job', 1, '', 'u')).toThrow(/shard id/);
    expect(() => checkpointPrefix('p', 'job', -1)).toThrow(/non-negative integer, found -1/);
    expect(() => savepointKey('p', 'job', 1.5, 's', 'u')).toThrow(/found 1.5/);
  });
});
