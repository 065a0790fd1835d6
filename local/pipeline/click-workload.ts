import type { ClickEvent } from '../../core/state/examples/click-counter.js';
import type { ProducedRecord } from './parts.js';
import { randomInt } from './random.js';

export interface ClickWorkload {
  records: ProducedRecord[];
  /** Independent expectation straight from the input: clicks and amount per user. */
  expected: Map<string, { clicks: number; amountCents: number }>;
}

const PAGES = ['/home', '/search', '/product', '/cart', '/checkout'];

/** A realistic keyed workload: users clicking pages, event time moving forward with jitter. */
export function clickWorkload(
  count: number,
  users: number,
  random: () => number,
  startMs = 1_700_000_000_000,
) {
  const records: ProducedRecord[] = [];
  const expected = new Map<string, { clicks: number; amountCents: number }>();
  let atMs = startMs;
  for (let i = 0; i < count; i++) {
    atMs += randomInt(random, 0, 40);
    const userId = `user-${randomInt(random, 0, users - 1)}`;
    const click: ClickEvent = {
      userId,
      page: PAGES[randomInt(random, 0, PAGES.length - 1)]!,
      amountCents: randomInt(random, 0, 999),
      // Slightly out of order, within the operator's 5 s allowance.
      atMs: atMs - randomInt(random, 0, 2_000),
    };
    records.push({ partitionKey: userId, data: Buffer.from(JSON.stringify(click)) });
    const e = expected.get(userId) ?? { clicks: 0, amountCents: 0 };
    e.clicks++;
    e.amountCents += click.amountCents;
    expected.set(userId, e);
  }
  return { records, expected } satisfies ClickWorkload;
}
