import { z } from 'zod';
import { CalendarDate, column, Ticker } from './fields.js';

export const ASSET_CLASSES = ['us_equity', 'crypto'] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

/** symbol_ref.v1: reference data for one symbol from a date on (feeds the SCD2 dimension). */
export const SymbolRef = z.object({
  symbol: column(Ticker, 'VARCHAR', 'Ticker or pair, upper case'),
  name: column(z.string().min(1).max(256), 'VARCHAR', 'Company or asset name'),
  exchange: column(z.string().max(32).nullable().default(null), 'VARCHAR', 'Primary listing venue'),
  asset_class: column(z.enum(ASSET_CLASSES), 'VARCHAR', 'us_equity or crypto: decides market hours'),
  sector: column(z.string().max(128).nullable().default(null), 'VARCHAR', 'GICS sector'),
  industry: column(z.string().max(128).nullable().default(null), 'VARCHAR', 'GICS sub-industry'),
  valid_from: column(CalendarDate, 'DATE', 'First day this description holds'),
});
export type SymbolRef = z.infer<typeof SymbolRef>;
