import { tableRef } from '../layers/index.js';
import { notNull, quotesNotCrossed, rowCountAnomaly, rowRule } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('silver', 'quotes'), layer: 'silver' as const };

export const silverQuotes: ModelDefinition = {
  ref,
  description: 'Top-of-book quotes with session date, mid, spread and crossed/locked flags',
  grain: 'one row per quote as received',
  uniqueKey: [],
  partitionColumn: 'dt',
  incremental: byPartition(),
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'event_at', description: 'Quote time (UTC, microseconds)' },
    { name: 'bid_price', description: 'Best bid price' },
    { name: 'ask_price', description: 'Best ask price' },
    { name: 'session_date', description: "Trading session date in the symbol's market time zone" },
    { name: 'is_regular_hours', description: 'Inside the regular session of its market' },
    { name: 'mid_price', description: '(bid + ask) / 2' },
    { name: 'spread', description: 'ask - bid (negative when crossed)' },
    { name: 'spread_bps', description: 'Spread in basis points of the mid' },
    { name: 'is_crossed', description: 'ask < bid: the book is crossed (kept, flagged)' },
    { name: 'is_locked', description: 'ask = bid: the book is locked (kept, flagged)' },
    { name: 'dt', description: 'UTC event date (partition)' },
  ],
  checks: [
    notNull(ref, ['symbol', 'event_at', 'bid_price', 'ask_price', 'session_date']),
    rowRule(ref, 'positive_prices', 'bid_price > 0 AND ask_price > 0', 'bid and ask are positive'),
    rowRule(ref, 'not_crossed', 'NOT is_crossed', 'crossed quotes are flagged (warning)', 'warn'),
    // Crossed books happen (stale feeds, fast markets): more than 1% of a day's quotes is a feed problem.
    quotesNotCrossed(ref, undefined, { severity: 'warn', threshold: 0.01 }),
    rowCountAnomaly(ref, { calendar: 'nyse' }, { severity: 'warn' }),
  ],
};
