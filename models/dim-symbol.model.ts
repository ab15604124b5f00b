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
    {
      name: 'entity_key',
      description:
        'The company or asset behind the ticker (hash of its CIK, FIGI or issuer id, else the ticker): the same across renames',
    },
    {
      name: 'entity_id',
      description: 'cik:<CIK>, figi:<FIGI>, issuer:<id>, or ticker:<symbol> when the source names no entity',
    },
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'valid_from', description: 'First day of this version' },
    {
      name: 'valid_to',
      description:
        'Exclusive end: the next version, a full snapshot of its source that omits it, its successor ticker, or a declared end; null while current',
    },
    { name: 'is_current', description: 'The open version' },
  ],
  checks: [
    uniqueKey(ref, ['symbol_key']),
    uniqueKey(ref, ['symbol', 'valid_from']),
    notNull(ref, ['symbol_key', 'entity_key', 'symbol', 'valid_from', 'market_timezone']),
    {
      name: 'one_current_version',
      severity: 'error',
      description: 'at most one current version per symbol (a closed symbol has none)',
      sql: 'SELECT symbol, count(*) FILTER (WHERE is_current) AS current_versions FROM gold.dim_symbol GROUP BY symbol HAVING count(*) FILTER (WHERE is_current) > 1',
    },
  ],
};
