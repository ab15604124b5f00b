import { tableRef } from '../layers/index.js';
import { notNull, uniqueKey } from './checks.js';
import { FULL_REFRESH, type ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'dim_index_membership'), layer: 'gold' as const };

export const dimIndexMembership: ModelDefinition = {
  ref,
  description:
    'Index membership intervals from change lists, membership intervals and full constituent snapshots: the index as of any date, without survivorship bias',
  grain: 'one row per index, symbol and membership interval',
  uniqueKey: ['index_name', 'symbol', 'valid_from'],
  partitionColumn: null,
  incremental: FULL_REFRESH,
  columns: [
    { name: 'index_name', description: 'Index, lower case (sp500)' },
    { name: 'symbol', description: 'Ticker while a member' },
    { name: 'entity_key', description: 'dim_symbol entity of the ticker (the same company across a rename)' },
    { name: 'valid_from', description: 'First day as a member' },
    { name: 'valid_to', description: 'First day no longer a member (exclusive); null while a member' },
    { name: 'is_current', description: 'Still a member' },
  ],
  checks: [
    uniqueKey(ref, ['index_name', 'symbol', 'valid_from']),
    notNull(ref, ['index_name', 'symbol', 'entity_key', 'valid_from']),
    {
      name: 'intervals_ordered',
      severity: 'error',
      description: 'an interval ends after it starts',
      sql: 'SELECT * FROM gold.dim_index_membership WHERE valid_to IS NOT NULL AND valid_to <= valid_from',
    },
  ],
};
