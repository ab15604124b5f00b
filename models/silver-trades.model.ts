import { tableRef, viewName } from '../layers/index.js';
import { notNull, range, rowCountAnomaly, rowRule, uniqueKey } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('silver', 'trades'), layer: 'silver' as const };

export const silverTrades: ModelDefinition = {
  ref,
  description:
    'Trades deduplicated by (source, symbol, trade_id), cancels removed and corrections applied, with session date and regular-hours flag',
  grain: 'one row per trade',
  uniqueKey: ['source', 'symbol', 'trade_id'],
  partitionColumn: 'dt',
  incremental: byPartition(),
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'event_at', description: 'Execution time (UTC, microseconds)' },
    { name: 'price', description: 'Execution price' },
    { name: 'size', description: 'Quantity traded' },
    { name: 'session_date', description: "Trading session date in the symbol's market time zone" },
    { name: 'is_regular_hours', description: 'Inside the regular session of its market' },
    {
      name: 'is_corrected',
      description:
        'The trade was corrected (CORRECTION/CORRECTED condition): price and size are the corrected ones',
    },
    {
      name: 'is_suspicious',
      description:
        'A vendor flagged the print as far from the market (SUSPICIOUS condition); bars leave it out',
    },
    {
      name: 'sale_conditions',
      description:
        'Standard conditions decoded from the source codes (silver.sale_condition_codes), sorted; empty for a print without conditions',
    },
    {
      name: 'unknown_conditions',
      description:
        'Codes nothing decodes (for AlgoSeek: undocumented bits as 0x%08X); they count in volume and may set prices',
    },
    { name: 'has_unknown_condition', description: 'unknown_conditions is not empty' },
    {
      name: 'updates_open_close',
      description:
        "May set a bar's open or close: every condition allows it under the source's rule set, for the print's session",
    },
    { name: 'updates_high_low', description: "May set a bar's high or low (same resolution)" },
    { name: 'updates_volume', description: 'Counts in volume, trade count and VWAP (same resolution)' },
    {
      name: 'marks_official_open',
      description: 'Carries an official open report or an opening auction print: a candidate for the 1d open',
    },
    {
      name: 'marks_official_close',
      description:
        'Carries an official close report or a closing auction print: a candidate for the 1d close',
    },
    {
      name: 'batch_row',
      description:
        'Position of the print in its bronze batch file (source order): breaks ties between prints of one timestamp',
    },
    { name: 'dt', description: 'UTC event date (partition)' },
  ],
  checks: [
    uniqueKey(ref, ['source', 'symbol', 'trade_id'], { skipNullIn: 'trade_id' }),
    notNull(ref, ['symbol', 'event_at', 'price', 'size', 'session_date']),
    rowRule(ref, 'positive_price', 'price > 0 AND isfinite(price)', 'price is positive and finite'),
    range(ref, 'size', { min: 0 }),
    rowCountAnomaly(ref, { calendar: 'nyse' }, { severity: 'warn' }),
    {
      name: 'known_sale_conditions',
      severity: 'warn',
      description:
        'every condition code decodes to a standard condition; lists each unknown code with its source and number of prints',
      sql: `SELECT source, unknown_condition, count(*) AS prints FROM (SELECT source, unnest(unknown_conditions) AS unknown_condition FROM ${viewName(ref)} WHERE has_unknown_condition) GROUP BY ALL ORDER BY prints DESC, source, unknown_condition`,
      sampleSize: 50,
    },
  ],
};
