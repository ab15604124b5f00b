import { z } from 'zod';
import { dateRule, field, symbolRule, textRule } from './fields.js';
import type { FieldRule } from './rules.js';

export const ASSET_CLASSES = ['us_equity', 'crypto'] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

/** How a reference file describes its source: every symbol it lists (full), or only changes. */
export const SNAPSHOT_KINDS = ['full', 'changes'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

const v1Fields = {
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
};

/** symbol_ref.v1 (superseded by v2, kept so its published schema stays checked). */
export const SymbolRefV1 = z.object(v1Fields);

const optionalText = (max: number, source: string, message: string): FieldRule => ({
  kind: 'text',
  min: 1,
  max,
  pattern: { source, message },
  nullable: true,
});
const optionalPositive: FieldRule = { kind: 'number', sign: 'positive', integer: false, nullable: true };

/**
 * symbol_ref.v2: v1 plus the entity behind a ticker and its trading units. Every new column is
 * optional, so a v1 file still maps. The entity (cik, else figi, else issuer_id) is what survives a
 * rename (FB -> META: CIK 1326801); valid_to is a last day the source declares (exclusive);
 * source and snapshot tell gold.dim_symbol which descriptions a full snapshot replaces.
 */
export const SymbolRef = z.object({
  ...v1Fields,
  valid_to: field(
    { kind: 'date', nullable: true },
    'DATE',
    'Day this description stops holding (exclusive), if declared',
  ),
  cik: field(
    optionalText(10, '[0-9]{1,10}', 'cik must be 1 to 10 digits'),
    'VARCHAR',
    'SEC Central Index Key of the issuer',
  ),
  figi: field(
    optionalText(12, '[A-Z0-9]{12}', 'figi must be 12 upper-case letters or digits'),
    'VARCHAR',
    'OpenFIGI share-class (or composite) identifier',
  ),
  issuer_id: field(
    textRule(64),
    'VARCHAR',
    "Another stable issuer id (a vendor's permanent id), when no CIK or FIGI",
  ),
  currency: field(
    optionalText(3, '[A-Z]{3}', 'currency must be an ISO 4217 code like USD'),
    'VARCHAR',
    'Quote currency (ISO 4217)',
  ),
  tick_size: field(optionalPositive, 'DOUBLE', 'Minimum price increment'),
  lot_size: field(optionalPositive, 'DOUBLE', 'Minimum (round) lot, in units of the symbol'),
  source: field(
    optionalText(32, '[a-z0-9][a-z0-9_-]{0,31}', 'source must be a lower-case name'),
    'VARCHAR',
    'Reference source (e.g. sp500): full snapshots close only that source’s symbols',
  ),
  snapshot: field(
    { kind: 'enum', values: SNAPSHOT_KINDS, nullable: true },
    'VARCHAR',
    'full: the file lists every symbol of its source on valid_from (absent ones close); changes: only changes',
  ),
});
export type SymbolRef = {
  symbol: string;
  name: string;
  exchange: string | null;
  asset_class: AssetClass;
  sector: string | null;
  industry: string | null;
  valid_from: string;
  valid_to?: string | null;
  cik?: string | null;
  figi?: string | null;
  issuer_id?: string | null;
  currency?: string | null;
  tick_size?: number | null;
  lot_size?: number | null;
  source?: string | null;
  snapshot?: SnapshotKind | null;
};
