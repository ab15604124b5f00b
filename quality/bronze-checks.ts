import { tableRef } from '../layers/index.js';
import {
  acceptedValues,
  barRules,
  freshness,
  notNull,
  quotesNotCrossed,
  range,
  rowCountAnomaly,
} from '../models/index.js';
import type { CheckTarget } from './check-runner.js';

const trades = tableRef('bronze', 'trades');
const quotes = tableRef('bronze', 'quotes');
const bars = tableRef('bronze', 'bars');
const posts = tableRef('bronze', 'sentiment_posts');

/**
 * Checks of the bronze datasets. The contracts already refuse malformed records at ingestion (they
 * are quarantined), so these watch what a contract cannot: volumes over time, crossed books,
 * inconsistent vendor bars and staleness. Mostly warnings: bronze keeps what the vendor sent.
 */
export const BRONZE_CHECK_TARGETS: readonly CheckTarget[] = [
  {
    ref: trades,
    partitionColumn: 'dt',
    checks: [
      notNull(trades, ['symbol', 'event_at', 'price', 'size']),
      range(trades, 'price', { min: 0, minInclusive: false }),
      range(trades, 'size', { min: 0 }),
      // Relative to now, or to the end of `dq --to`: a weekend plus a holiday is 96 hours.
      freshness(trades, 'event_at', 96, { severity: 'warn' }),
      rowCountAnomaly(trades, { calendar: 'nyse' }, { severity: 'warn' }),
    ],
  },
  {
    ref: quotes,
    partitionColumn: 'dt',
    checks: [
      notNull(quotes, ['symbol', 'event_at', 'bid_price', 'ask_price']),
      quotesNotCrossed(quotes, undefined, { severity: 'warn', threshold: 0.01 }),
      rowCountAnomaly(quotes, { calendar: 'nyse' }, { severity: 'warn' }),
    ],
  },
  {
    ref: bars,
    partitionColumn: 'dt',
    checks: [
      notNull(bars, ['symbol', 'bar_start_at', 'interval']),
      acceptedValues(bars, 'interval', ['1m', '5m', '15m', '1h', '1d'], { severity: 'warn' }),
      ...barRules(
        bars,
        { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume', vwap: 'vwap' },
        { severity: 'warn' },
      ),
    ],
  },
  {
    ref: posts,
    partitionColumn: 'dt',
    checks: [
      notNull(posts, ['post_id', 'source', 'created_at']),
      rowCountAnomaly(posts, { calendar: 'daily' }, { severity: 'warn' }),
    ],
  },
];
