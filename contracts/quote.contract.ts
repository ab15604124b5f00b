import { z } from 'zod';
import { Conditions, column, EventTime, Price, ShortCode, Size, SourceName, Ticker } from './fields.js';

/** quote.v1: a top-of-book (NBBO or venue) quote. Crossed quotes (ask < bid) are refused. */
export const Quote = z
  .object({
    symbol: column(Ticker, 'VARCHAR', 'Ticker or pair, upper case'),
    event_at: column(EventTime, 'TIMESTAMPTZ', 'Quote time (UTC, microseconds)'),
    bid_price: column(Price, 'DOUBLE', 'Best bid price'),
    bid_size: column(Size, 'DOUBLE', 'Size at the best bid'),
    ask_price: column(Price, 'DOUBLE', 'Best ask price'),
    ask_size: column(Size, 'DOUBLE', 'Size at the best ask'),
    bid_exchange: column(ShortCode.nullable().default(null), 'VARCHAR', 'Venue of the bid'),
    ask_exchange: column(ShortCode.nullable().default(null), 'VARCHAR', 'Venue of the ask'),
    conditions: column(Conditions.default([]), 'VARCHAR[]', 'Quote condition codes'),
    tape: column(ShortCode.nullable().default(null), 'VARCHAR', 'Consolidated tape for US equities'),
    source: column(SourceName, 'VARCHAR', 'Where the record came from'),
  })
  .refine((q) => q.ask_price >= q.bid_price, {
    message: 'crossed quote: ask_price < bid_price',
    path: ['ask_price'],
  });
export type Quote = z.infer<typeof Quote>;
