import { z } from 'zod';
import { dateRule, field, priceRule, sourceRule, symbolRule } from './fields.js';

/**
 * corporate_action.v1: one row of a split/dividend factor file (QuantConnect/AlgoSeek layout).
 * The factors of a row apply to every session after the previous row's `factor_date` up to and
 * including its own: adjusted price = raw price × price_factor × split_factor. The last row of
 * a file (conventionally 2050-12-31, factors 1) covers everything since the latest action.
 */
export const CorporateAction = z.object({
  symbol: field(symbolRule, 'VARCHAR', 'Ticker, upper case'),
  factor_date: field(
    dateRule,
    'DATE',
    'Last session date the factors of this row apply to (the session before the ex-date)',
  ),
  price_factor: field(priceRule, 'DOUBLE', 'Cumulative dividend factor for sessions up to factor_date'),
  split_factor: field(priceRule, 'DOUBLE', 'Cumulative split factor for sessions up to factor_date'),
  reference_price: field(
    { kind: 'number', sign: 'nonnegative', integer: false, nullable: true },
    'DOUBLE',
    'Close the vendor computed the dividend factor from (0 or 1 on sentinel rows)',
  ),
  source: field(sourceRule, 'VARCHAR', 'Where the record came from (algoseek, ...)'),
});
export type CorporateAction = {
  symbol: string;
  factor_date: string;
  price_factor: number;
  split_factor: number;
  reference_price: number | null;
  source: string;
};
