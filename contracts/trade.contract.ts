import { z } from 'zod';
import { Conditions, column, EventTime, Price, ShortCode, Size, SourceName, Ticker } from './fields.js';

/** trade.v1: one executed trade (a print) as a venue or vendor reported it. */
export const Trade = z.object({
  symbol: column(Ticker, 'VARCHAR', 'Ticker or pair, upper case'),
  event_at: column(EventTime, 'TIMESTAMPTZ', 'Execution time (UTC, microseconds)'),
  price: column(Price, 'DOUBLE', 'Execution price in quote currency'),
  size: column(Size, 'DOUBLE', 'Quantity traded (shares or base units)'),
  exchange: column(ShortCode.nullable().default(null), 'VARCHAR', 'Venue code as the source gives it'),
  trade_id: column(
    z.string().max(64).nullable().default(null),
    'VARCHAR',
    'Venue or vendor trade id; text so ids beyond 2^53 stay exact',
  ),
  conditions: column(Conditions.default([]), 'VARCHAR[]', 'Sale condition codes'),
  tape: column(ShortCode.nullable().default(null), 'VARCHAR', 'Consolidated tape (A, B, C) for US equities'),
  source: column(SourceName, 'VARCHAR', 'Where the record came from (simulator, alpaca, binance, ...)'),
});
export type Trade = z.infer<typeof Trade>;
