import { SeededRng } from './rng.js';

/** The datasets that can receive corrupted records. */
export type CorruptibleDataset = 'trades' | 'quotes' | 'posts';

type SimRecord = Record<string, unknown>;
type Corruption = (record: SimRecord) => SimRecord;

const EPOCH_START = '1970-01-01T00:00:00Z';

/** The same instant-of-day in the year 2999: far beyond any clock-skew tolerance. */
function farFuture(value: unknown): string {
  return typeof value === 'string' && /^\d{4}-/.test(value)
    ? `2999${value.slice(4)}`
    : '2999-01-01T00:00:00Z';
}

/** A copy of `record` without `key`: a missing required field. */
function without(record: SimRecord, key: string): SimRecord {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}

function negative(value: unknown): number {
  return -Math.max(1, Math.abs(Number(value)) || 1);
}

const TRADE_CORRUPTIONS: readonly Corruption[] = [
  (r) => ({ ...r, price: negative(r.price) }),
  (r) => ({ ...r, price: 0 }),
  (r) => ({ ...r, price: 'abc' }),
  (r) => ({ ...r, size: negative(r.size) }),
  (r) => ({ ...r, symbol: '../etc/passwd' }),
  (r) => ({ ...r, symbol: "AA'PL" }),
  (r) => ({ ...r, event_at: farFuture(r.event_at) }),
  (r) => ({ ...r, event_at: EPOCH_START }),
  (r) => without(r, 'price'),
  (r) => without(r, 'event_at'),
];

const QUOTE_CORRUPTIONS: readonly Corruption[] = [
  (r) => ({ ...r, bid_price: negative(r.bid_price) }),
  (r) => ({ ...r, ask_price: 0 }),
  (r) => ({ ...r, bid_price: 'abc' }),
  (r) => ({ ...r, bid_size: negative(r.bid_size) }),
  (r) => ({ ...r, symbol: '../etc/passwd' }),
  (r) => ({ ...r, symbol: "AA'PL" }),
  (r) => ({ ...r, event_at: farFuture(r.event_at) }),
  (r) => ({ ...r, event_at: EPOCH_START }),
  (r) => without(r, 'ask_price'),
  (r) => without(r, 'event_at'),
  // Crossed: swap the sides so the ask is below the bid (good quotes always have ask > bid).
  (r) => ({ ...r, bid_price: r.ask_price, ask_price: r.bid_price }),
];

const POST_CORRUPTIONS: readonly Corruption[] = [
  (r) => ({ ...r, post_id: '' }),
  (r) => ({ ...r, created_at: farFuture(r.created_at) }),
  (r) => ({ ...r, created_at: EPOCH_START }),
  (r) => without(r, 'created_at'),
  (r) => without(r, 'post_id'),
  (r) => ({ ...r, cashtags: ['../etc/passwd'] }),
  (r) => ({ ...r, cashtags: ["AA'PL"] }),
  (r) => ({ ...r, score: 'abc' }),
  (r) => ({ ...r, comment_count: -1 }),
];

const CORRUPTIONS: Record<CorruptibleDataset, readonly Corruption[]> = {
  trades: TRADE_CORRUPTIONS,
  quotes: QUOTE_CORRUPTIONS,
  posts: POST_CORRUPTIONS,
};

/** `count` distinct indices in [0, n), ascending (Floyd's sampling). */
function sampleIndices(rng: SeededRng, n: number, count: number): number[] {
  const chosen = new Set<number>();
  for (let j = n - count; j < n; j++) {
    const t = rng.int(0, j);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/**
 * Which records of a dataset of `n` records are corrupted, and how: `Math.round(rate * n)` record
 * positions chosen with the seed, the kinds of corruption cycling in record order. Lets a writer
 * that streams its records corrupt exactly the ones {@link injectBadRecords} would.
 */
export function badRecordPlan(
  dataset: CorruptibleDataset,
  n: number,
  rate: number,
  seed: number,
): Map<number, (record: SimRecord) => SimRecord> {
  const count = Math.min(n, Math.round(rate * n));
  const plan = new Map<number, Corruption>();
  if (count <= 0) return plan;
  const kinds = CORRUPTIONS[dataset];
  const indices = sampleIndices(SeededRng.derive(seed, 'bad-records', dataset), n, count);
  indices.forEach((index, k) => {
    plan.set(index, kinds[k % kinds.length] as Corruption);
  });
  return plan;
}

/**
 * Replace `Math.round(rate * records.length)` records, chosen with the seed, by corrupted copies
 * that the dataset's contract must refuse; the kinds of corruption cycle in record order.
 * Mutates `records` in place and returns how many were replaced.
 */
export function injectBadRecords(
  dataset: CorruptibleDataset,
  records: SimRecord[],
  rate: number,
  seed: number,
): number {
  const plan = badRecordPlan(dataset, records.length, rate, seed);
  for (const [index, corrupt] of plan) records[index] = corrupt(records[index] as SimRecord);
  return plan.size;
}
