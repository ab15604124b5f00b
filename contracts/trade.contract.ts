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

/** trade.v1: one executed trade (a print) as a venue or vendor reported it. */
export const Trade = z.object({
  symbol: field(symbolRule, 'VARCHAR', 'Ticker or pair, upper case'),
  event_at: field(eventTimeRule, 'TIMESTAMPTZ', 'Execution time (UTC, microseconds)'),
  price: field(priceRule, 'DOUBLE', 'Execution price in quote currency'),
  size: field(sizeRule, 'DOUBLE', 'Quantity traded (shares or base units)'),
  exchange: field(shortCodeRule, 'VARCHAR', 'Venue code as the source gives it'),
  trade_id: field(
    { kind: 'text', min: 0, max: 64, fromInteger: true, nullable: true },
    'VARCHAR',
    'Venue or vendor trade id; text so ids beyond 2^53 stay exact',
  ),
  conditions: field(conditionsRule, 'VARCHAR[]', 'Sale condition codes'),
  tape: field(shortCodeRule, 'VARCHAR', 'Consolidated tape (A, B, C) for US equities'),
  source: field(sourceRule, 'VARCHAR', 'Where the record came from (simulator, alpaca, binance, ...)'),
});
export type Trade = {
  symbol: string;
  event_at: string;
  price: number;
  size: number;
  exchange: string | null;
  trade_id: string | null;
  conditions: string[];
  tape: string | null;
  source: string;
};
