import { tableRef } from '../layers/index.js';
import { notNull, uniqueKey } from './checks.js';
import { FULL_REFRESH, type ModelDefinition } from './model.js';

const ref = { ...tableRef('silver', 'sale_condition_codes'), layer: 'silver' as const };

/** Each source's codes for the standard conditions of silver.sale_conditions (derived from it). */
export const silverSaleConditionCodes: ModelDefinition = {
  ref,
  description:
    'How each source writes the standard sale conditions: AlgoSeek bit flags, CTA/UTP letters per plan, Polygon ids, marketlake words',
  grain: 'one row per source, plan and code',
  uniqueKey: ['source', 'plan', 'code'],
  partitionColumn: null,
  incremental: FULL_REFRESH,
  columns: [
    { name: 'source', description: 'Trade source the code belongs to; `*` for any source' },
    { name: 'plan', description: 'cta or utp for letters whose meaning depends on the tape; null otherwise' },
    { name: 'code', description: 'The code as the source writes it (letters and words upper case)' },
    { name: 'flag_mask', description: 'For bit-flag sources (algoseek): the bit; null otherwise' },
    { name: 'condition', description: 'Standard condition (silver.sale_conditions)' },
  ],
  checks: [uniqueKey(ref, ['source', 'plan', 'code']), notNull(ref, ['source', 'code', 'condition'])],
};
