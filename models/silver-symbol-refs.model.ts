import { tableRef } from '../layers/index.js';
import { notNull, uniqueKey } from './checks.js';
import { FULL_REFRESH, type ModelDefinition } from './model.js';

const ref = { ...tableRef('silver', 'symbol_refs'), layer: 'silver' as const };

export const silverSymbolRefs: ModelDefinition = {
  ref,
  description: 'Symbol reference data, deduplicated, with the market time zone of each symbol',
  grain: 'one row per symbol per valid_from',
  uniqueKey: ['symbol', 'valid_from'],
  partitionColumn: null,
  incremental: FULL_REFRESH,
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'valid_from', description: 'First day this description holds' },
    { name: 'market_timezone', description: 'America/New_York for US equities, UTC for crypto' },
    { name: 'cik', description: 'SEC Central Index Key when the source gives one (links renamed tickers)' },
    { name: 'figi', description: 'OpenFIGI identifier when the source gives one' },
    {
      name: 'entity_id',
      description:
        'cik:<CIK>, figi:<FIGI> or issuer:<id>: the company behind the ticker (null when the source names none)',
    },
    { name: 'source', description: "Reference source ('' when the file named none)" },
    {
      name: 'snapshot',
      description:
        'full: the file listed every symbol of its source on valid_from; changes: only what changed',
    },
    {
      name: 'declared_valid_to',
      description: 'Last day (exclusive) the source declares for the symbol, if any',
    },
  ],
  checks: [
    uniqueKey(ref, ['symbol', 'valid_from']),
    notNull(ref, ['symbol', 'name', 'asset_class', 'valid_from']),
  ],
};
