import { tableRef } from '../layers/index.js';
import { notNull, uniqueKey } from './checks.js';
import { FULL_REFRESH, type ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'dim_symbol'), layer: 'gold' as const };

export const dimSymbol: ModelDefinition = {
  ref,
  description: 'Symbol dimension, SCD Type 2: one version per change of name, exchange, class or sector',
  grain: 'one row per symbol per version',
  uniqueKey: ['symbol_key'],
  partitionColumn: null,
  incremental: FULL_REFRESH,
  columns: [
    { name: 'symbol_key', description: 'Surrogate key: stable hash of symbol and valid_from' },
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'valid_from', description: 'First day of this version' },
    { name: 'valid_to', description: 'Day the next version starts (exclusive); null while current' },
    { name: 'is_current', description: 'The open version' },
  ],
  checks: [
    uniqueKey(ref, ['symbol_key']),
    uniqueKey(ref, ['symbol', 'valid_from']),
    notNull(ref, ['symbol_key', 'symbol', 'valid_from', 'market_timezone']),
    {
      name: 'one_current_version',
      severity: 'error',
      description: 'exactly one current version per symbol',
      sql: 'SELECT symbol, count(*) FILTER (WHERE is_current) AS current_versions FROM gold.dim_symbol GROUP BY symbol HAVING count(*) FILTER (WHERE is_current) <> 1',
    },
  ],
};
