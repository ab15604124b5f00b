import { tableRef } from '../layers/index.js';
import { notNull, uniqueKey } from './checks.js';
import { FULL_REFRESH, type ModelDefinition } from './model.js';

const ref = { ...tableRef('silver', 'index_changes'), layer: 'silver' as const };

export const silverIndexChanges: ModelDefinition = {
  ref,
  description: 'Index membership history lines (intervals, adds, removes), one row per ticker',
  grain: 'one row per index, symbol, action and effective_date',
  uniqueKey: ['index_name', 'symbol', 'action', 'effective_date'],
  partitionColumn: null,
  incremental: FULL_REFRESH,
  columns: [
    { name: 'index_name', description: 'Index, lower case (sp500)' },
    { name: 'symbol', description: 'Ticker' },
    { name: 'action', description: 'member (interval), add or remove' },
    { name: 'effective_date', description: 'Day the membership starts (member, add) or ends (remove)' },
    { name: 'end_date', description: 'member rows: first day no longer a member' },
  ],
  checks: [
    uniqueKey(ref, ['index_name', 'symbol', 'action', 'effective_date']),
    notNull(ref, ['index_name', 'symbol', 'action', 'effective_date']),
  ],
};
