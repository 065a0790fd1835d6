import type { TimerEntry } from './snapshot-content.js';

/** Firing order within one timestamp. */
function compareKeys(a: TimerEntry, b: TimerEntry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Below this many heap slots, stale timestamps are not worth a rebuild. */
const MIN_COMPACT_SLOTS = 64;

/**
 * Timers of one time domain: a set of (key, timestamp), polled in (timestamp, key) order.
 *
 * Windows make many keys share one timestamp, so timers live in a bucket per timestamp
 * (key -> entry: O(1) dedupe and delete) and a binary min-heap orders only the distinct
 * timestamps (number compares, O(log n)). A due bucket is drained as one batch sorted by
 * key; registering a timer at or before the batch's timestamp while it drains (from
 * onTimer) drops the batch, so the next poll re-sorts and strict (timestamp, key) order
 * holds. The heap is lazy: a timestamp whose bucket emptied stays until it surfaces, and
 * the heap is rebuilt once such stale slots outnumber live buckets, so register/delete
 * churn (session windows) stays amortised O(log n) in bounded memory.
 */
export class TimerQueue {
  private timestamps: number[] = [];
  private readonly buckets = new Map<number, Map<string, TimerEntry>>();
  private liveCount = 0;
  /** The bucket being drained, its entries sorted by key, and the next index. */
  private batch: TimerEntry[] | null = null;
  private batchBucket: Map<string, TimerEntry> | null = null;
  private batchTimestampMs = 0;
  private batchIndex = 0;
  /** The bucket of the last register: records of one window register at one timestamp in a row. */
  private lastBucket: Map<string, TimerEntry> | undefined;
  private lastBucketTimestampMs = Number.NaN;
  /** Whether timestamps[0] is known to have a bucket (peek runs once per record). */
  private topIsLive = false;

  get size(): number {
    return this.liveCount;
  }

  /** Adds the timer unless it is already registered; returns whether it was added. */
  register(key: string, timestampMs: number): boolean {
    let bucket = timestampMs === this.lastBucketTimestampMs ? this.lastBucket : this.buckets.get(timestampMs);
    if (bucket === undefined) {
      bucket = new Map();
      this.buckets.set(timestampMs, bucket);
      this.push(timestampMs);
    }
    this.lastBucket = bucket;
    this.lastBucketTimestampMs = timestampMs;
    if (bucket.has(key)) return false;
    bucket.set(key, { key, timestampMs });
    this.liveCount++;
    if (this.batch !== null && timestampMs <= this.batchTimestampMs) this.batch = null;
    return true;
  }

  delete(key: string, timestampMs: number): boolean {
    const bucket = this.buckets.get(timestampMs);
    if (bucket === undefined || !bucket.delete(key)) return false;
    this.liveCount--;
    if (bucket.size === 0) {
      this.dropBucket(timestampMs);
      const slots = this.timestamps.length;
      if (slots > MIN_COMPACT_SLOTS && slots > 2 * this.buckets.size) this.compact();
    }
    return true;
  }

  /** Timestamp of the earliest timer, or +Infinity when there is none. */
  peekTimestampMs(): number {
    return this.liveTop() ?? Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the earliest timer if its timestamp is <= upToMs. */
  pollDue(upToMs: number): TimerEntry | undefined {
    for (;;) {
      const batch = this.batch;
      if (batch !== null && this.batchTimestampMs <= upToMs) {
        const bucket = this.batchBucket!;
        while (this.batchIndex < batch.length) {
          const entry = batch[this.batchIndex++]!;
          if (bucket.get(entry.key) !== entry) continue; // deleted while the batch drained
          bucket.delete(entry.key);
          this.liveCount--;
          if (bucket.size === 0) this.dropBucket(entry.timestampMs);
          return entry;
        }
        this.batch = null;
      }
      const timestampMs = this.liveTop();
      if (timestampMs === undefined || timestampMs > upToMs) return undefined;
      const bucket = this.buckets.get(timestampMs)!;
      this.batch = Array.from(bucket.values()).sort(compareKeys);
      this.batchBucket = bucket;
      this.batchTimestampMs = timestampMs;
      this.batchIndex = 0;
    }
  }

  /** Fresh copies of the live timers in firing order (timestamp, then key): canonical, whatever the history. */
  entries(): TimerEntry[] {
    const out: TimerEntry[] = [];
    const timestamps = Array.from(this.buckets.keys()).sort((a, b) => a - b);
    for (const timestampMs of timestamps) {
      // sort() without a comparator orders strings by UTF-16 code units, as compareKeys
      // does, but without a call into JS per comparison.
      const keys = Array.from(this.buckets.get(timestampMs)!.keys()).sort();
      for (const key of keys) out.push({ key, timestampMs });
    }
    return out;
  }

  /** The smallest timestamp that still has a bucket, dropping stale ones on the way. */
  private liveTop(): number | undefined {
    const heap = this.timestamps;
    if (this.topIsLive) return heap[0];
    while (heap.length > 0) {
      const top = heap[0]!;
      if (this.buckets.has(top)) {
        this.topIsLive = true;
        return top;
      }
      this.pop();
    }
    return undefined;
  }

  private dropBucket(timestampMs: number): void {
    this.buckets.delete(timestampMs);
    this.topIsLive = false;
    if (timestampMs === this.lastBucketTimestampMs) {
      this.lastBucket = undefined;
      this.lastBucketTimestampMs = Number.NaN;
    }
  }

  private compact(): void {
    this.topIsLive = false;
    this.timestamps = Array.from(this.buckets.keys());
    for (let i = (this.timestamps.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private push(timestampMs: number): void {
    const heap = this.timestamps;
    let i = heap.length;
    heap.push(timestampMs);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTimestampMs = heap[parent]!;
      if (parentTimestampMs <= timestampMs) break;
      heap[i] = parentTimestampMs;
      i = parent;
    }
    heap[i] = timestampMs;
  }

  private pop(): void {
    this.topIsLive = false;
    const heap = this.timestamps;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const heap = this.timestamps;
    const n = heap.length;
    const timestampMs = heap[start]!;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && heap[right]! < heap[left]! ? right : left;
      const childTimestampMs = heap[child]!;
      if (timestampMs <= childTimestampMs) break;
      heap[i] = childTimestampMs;
      i = child;
    }
    heap[i] = timestampMs;
  }
}
