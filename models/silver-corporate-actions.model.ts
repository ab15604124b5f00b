import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { FULL_REFRESH, type ModelDefinition } from './model.js';

const ref = { ...tableRef('silver', 'corporate_actions'), layer: 'silver' as const };

export const silverCorporateActions: ModelDefinition = {
  ref,
  description:
    'Split and dividend factors from the latest factor file of each symbol, with the sessions each row covers',
  grain: 'one row per symbol per factor_date',
  uniqueKey: ['symbol', 'factor_date'],
  partitionColumn: null,
  incremental: FULL_REFRESH,
  columns: [
    { name: 'symbol', description: 'Ticker' },
    { name: 'factor_date', description: 'Last session date the factors apply to' },
    { name: 'covers_from', description: 'First session date the factors apply to (previous row + 1 day)' },
    { name: 'price_factor', description: 'Cumulative dividend factor' },
    { name: 'split_factor', description: 'Cumulative split factor' },
    {
      name: 'adjustment_factor',
      description: 'price_factor × split_factor: adjusted price = raw price × adjustment_factor',
    },
  ],
  checks: [
    uniqueKey(ref, ['symbol', 'factor_date']),
    notNull(ref, ['symbol', 'factor_date', 'price_factor', 'split_factor']),
    rowRule(
      ref,
      'positive_factors',
      'adjustment_factor > 0 AND isfinite(adjustment_factor)',
      'factors are positive and finite',
    ),
  ],
};
