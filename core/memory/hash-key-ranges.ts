import { createHash } from 'node:crypto';
import { BadInputError } from '../errors/index.js';

/** Kinesis' hash key space: 128-bit unsigned integers, written as decimal strings. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** The hash key Kinesis derives from a partition key: MD5 of its UTF-8 bytes, read as an unsigned integer. */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

export interface HashKeyRange {
  startingHashKey: bigint;
  endingHashKey: bigint;
}

/** CreateStream's even split: shard i starts at i * floor(2^128 / n); the last one ends at 2^128 - 1. */
export function evenHashKeyRanges(shardCount: number): HashKeyRange[] {
  const width = (MAX_HASH_KEY + 1n) / BigInt(shardCount);
  return Array.from({ length: shardCount }, (_, i) => ({
    startingHashKey: width * BigInt(i),
    endingHashKey: i === shardCount - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n,
  }));
}

export function parseHashKey(value: string, what: string): bigint {
  if (!/^\d{1,39}$/.test(value) || BigInt(value) > MAX_HASH_KEY) {
    throw new BadInputError(
      `${what} must be a decimal integer in [0, 2^128 - 1], found ${JSON.stringify(value)}`,
    );
  }
  return BigInt(value);
}
