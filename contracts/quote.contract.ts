import { z } from 'zod';
import {
  conditionsRule,
  eventTimeRule,
  field,
  priceRule,
  shortCodeRule,
  sizeRule,
  sourceRule,
  symbolRule,
} from './fields.js';
import { holds, type RecordRule } from './rules.js';

/** Cross-field rules of quote.v1 (zod and SQL both apply them). */
export const QUOTE_RECORD_RULES: readonly RecordRule[] = [
  {
    path: 'ask_price',
    message: 'crossed quote: ask_price < bid_price',
    all: [['ask_price', '>=', 'bid_price']],
  },
];

/** quote.v1: a top-of-book (NBBO or venue) quote. Crossed quotes (ask < bid) are refused. */
export const Quote = z
  .object({
    symbol: field(symbolRule, 'VARCHAR', 'Ticker or pair, upper case'),
    event_at: field(eventTimeRule, 'TIMESTAMPTZ', 'Quote time (UTC, microseconds)'),
    bid_price: field(priceRule, 'DOUBLE', 'Best bid price'),
    bid_size: field(sizeRule, 'DOUBLE', 'Size at the best bid'),
    ask_price: field(priceRule, 'DOUBLE', 'Best ask price'),
    ask_size: field(sizeRule, 'DOUBLE', 'Size at the best ask'),
    bid_exchange: field(shortCodeRule, 'VARCHAR', 'Venue of the bid'),
    ask_exchange: field(shortCodeRule, 'VARCHAR', 'Venue of the ask'),
    conditions: field(conditionsRule, 'VARCHAR[]', 'Quote condition codes'),
    tape: field(shortCodeRule, 'VARCHAR', 'Consolidated tape for US equities'),
    source: field(sourceRule, 'VARCHAR', 'Where the record came from'),
  })
  .refine((q) => holds(QUOTE_RECORD_RULES[0] as RecordRule, q), {
    message: QUOTE_RECORD_RULES[0]?.message,
    path: ['ask_price'],
  });
export type Quote = {
  symbol: string;
  event_at: string;
  bid_price: number;
  bid_size: number;
  ask_price: number;
  ask_size: number;
  bid_exchange: string | null;
  ask_exchange: string | null;
  conditions: string[];
  tape: string | null;
  source: string;
};
