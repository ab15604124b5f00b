import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { FULL_REFRESH, type ModelDefinition } from './model.js';

const ref = { ...tableRef('silver', 'sale_conditions'), layer: 'silver' as const };

/**
 * The sale-condition eligibility table (reference data kept in `sql/silver/sale_conditions.sql`):
 * per rule set and standard condition, whether a print may set a bar's open/close, high/low and
 * volume, in the regular session and outside it. `consolidated` is the CTA/UTP plans' matrix;
 * `algoseek` adds the conventions of AlgoSeek's own minute bars.
 */
export const silverSaleConditions: ModelDefinition = {
  ref,
  description:
    'Sale-condition eligibility (reference data, versioned in its SQL file): per rule set and standard condition, what a print may set in a bar',
  grain: 'one row per rule set per standard condition',
  uniqueKey: ['rule_set', 'condition'],
  partitionColumn: null,
  incremental: FULL_REFRESH,
  columns: [
    {
      name: 'rule_set',
      description:
        'consolidated (CTA/UTP matrix) or a rule set named after the source it applies to (algoseek)',
    },
    { name: 'condition', description: 'Standard condition id (intermarket_sweep, average_price, ...)' },
    { name: 'condition_name', description: 'Name in the CTA/UTP specifications' },
    { name: 'cta_code', description: 'CTA (tapes A and B) letter, when the CTA plan has one' },
    { name: 'utp_code', description: 'UTP (tape C) letter, when the UTP plan has one' },
    { name: 'polygon_ids', description: 'Polygon.io condition ids that stand for it' },
    {
      name: 'algoseek_flags',
      description: "Bits of AlgoSeek's hexadecimal condition field that stand for it",
    },
    { name: 'marketlake_words', description: "marketlake's own condition words (CANCEL, ...)" },
    { name: 'updates_open_close', description: "Regular session: the print may be a bar's open or close" },
    { name: 'updates_high_low', description: "Regular session: the print may be a bar's high or low" },
    { name: 'updates_volume', description: 'The print counts in volume, trade count and VWAP' },
    { name: 'extended_updates_open_close', description: 'Outside the regular session: may be open or close' },
    { name: 'extended_updates_high_low', description: 'Outside the regular session: may be high or low' },
    { name: 'marks_official_open', description: 'Official open report or opening auction print' },
    { name: 'marks_official_close', description: 'Official close report or closing auction print' },
    {
      name: 'basis',
      description: "Where the row comes from (the plans' matrix, a measured vendor convention)",
    },
    { name: 'rules_version', description: 'Version of the table, raised whenever a row changes' },
  ],
  checks: [
    uniqueKey(ref, ['rule_set', 'condition']),
    notNull(ref, [
      'updates_open_close',
      'updates_high_low',
      'updates_volume',
      'extended_updates_open_close',
      'extended_updates_high_low',
    ]),
    rowRule(
      ref,
      'open_close_within_high_low',
      '(updates_high_low OR NOT updates_open_close) AND (extended_updates_high_low OR NOT extended_updates_open_close)',
      'a print that may set the open or close may also set the high and low (so open and close lie in [low, high])',
    ),
  ],
};
