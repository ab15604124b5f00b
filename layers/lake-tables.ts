import { DATASETS, type DatasetName } from '../contracts/index.js';
import type { ColumnDef } from './catalog/catalog.js';
import { type TableRef, tableRef } from './names.js';

/** Columns bronze adds to every contract: where the row came from (lineage) and its partition. */
export const BRONZE_LINEAGE_COLUMNS: readonly ColumnDef[] = [
  { name: 'batch_id', type: 'VARCHAR' },
  { name: 'ingested_at', type: 'TIMESTAMP WITH TIME ZONE' },
  { name: 'dt', type: 'DATE' },
];

/** Every quarantine table has this shape: the raw record and why it was refused. */
export const QUARANTINE_COLUMNS: readonly ColumnDef[] = [
  { name: 'raw', type: 'VARCHAR' },
  { name: 'reason', type: 'VARCHAR' },
  { name: 'contract_version', type: 'VARCHAR' },
  { name: 'source_file', type: 'VARCHAR' },
  { name: 'source_line', type: 'BIGINT' },
  { name: 'batch_id', type: 'VARCHAR' },
  { name: 'ingested_at', type: 'TIMESTAMP WITH TIME ZONE' },
  { name: 'dt', type: 'DATE' },
];

const DUCKDB_TYPE_ALIASES: Record<string, string> = { TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE' };

export function bronzeColumns(dataset: DatasetName): ColumnDef[] {
  const contract = DATASETS[dataset].columns.map((c) => ({
    name: c.name,
    type: DUCKDB_TYPE_ALIASES[c.sqlType] ?? c.sqlType,
  }));
  return [...contract, ...BRONZE_LINEAGE_COLUMNS];
}

export interface DeclaredTable {
  ref: TableRef;
  columns: readonly ColumnDef[];
}

/** Tables that exist (possibly empty) before anything was written: bronze and quarantine per dataset. */
export function declaredSourceTables(): DeclaredTable[] {
  return Object.values(DATASETS).flatMap((d) => [
    { ref: tableRef('bronze', d.name), columns: bronzeColumns(d.name) },
    { ref: tableRef('quarantine', d.name), columns: QUARANTINE_COLUMNS },
  ]);
}
