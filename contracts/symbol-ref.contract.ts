import { z } from 'zod';
import { dateRule, field, symbolRule, textRule } from './fields.js';

export const ASSET_CLASSES = ['us_equity', 'crypto'] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

/** symbol_ref.v1: reference data for one symbol from a date on (feeds the SCD2 dimension). */
export const SymbolRef = z.object({
  symbol: field(symbolRule, 'VARCHAR', 'Ticker or pair, upper case'),
  name: field(textRule(256, 1, false), 'VARCHAR', 'Company or asset name'),
  exchange: field(textRule(32), 'VARCHAR', 'Primary listing venue'),
  asset_class: field(
    { kind: 'enum', values: ASSET_CLASSES, nullable: false },
    'VARCHAR',
    'us_equity or crypto: decides market hours',
  ),
  sector: field(textRule(128), 'VARCHAR', 'GICS sector'),
  industry: field(textRule(128), 'VARCHAR', 'GICS sub-industry'),
  valid_from: field(dateRule, 'DATE', 'First day this description holds'),
});
export type SymbolRef = {
  symbol: string;
  name: string;
  exchange: string | null;
  asset_class: AssetClass;
  sector: string | null;
  industry: string | null;
  valid_from: string;
};
