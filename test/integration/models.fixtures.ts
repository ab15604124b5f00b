import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATASETS, type DatasetName } from '../../contracts/index.js';
import { bronzeColumns, type LakeSession, literal, tableRef, writeTable } from '../../layers/index.js';

let counter = 0;

/**
 * Append fixture rows to a bronze table, typed by its contract columns (missing columns are null).
 * Lineage defaults: batch `fixture_<n>`, ingested at `ingestedAt`, dt = UTC date of the partition field.
 */
export async function writeBronze(
  session: LakeSession,
  dir: string,
  dataset: DatasetName,
  rows: Record<string, unknown>[],
  options: { batchId?: string; ingestedAt?: string } = {},
): Promise<void> {
  counter += 1;
  const batchId = options.batchId ?? `fixture_${counter}`;
  const ingestedAt = options.ingestedAt ?? `2030-01-01T00:00:${String(counter % 60).padStart(2, '0')}Z`;
  const field = DATASETS[dataset].partitionField;
  const full = rows.map((r) => ({
    batch_id: batchId,
    ingested_at: ingestedAt,
    dt: String(r[field]).slice(0, 10),
    ...r,
  }));
  const file = join(dir, `fixture_${counter}.jsonl`);
  await writeFile(file, full.map((r) => JSON.stringify(r)).join('\n'));
  const columns = bronzeColumns(dataset);
  const struct = `{${columns.map((c) => `${literal(c.name)}: ${literal(c.type)}`).join(', ')}}`;
  await writeTable(
    session,
    tableRef('bronze', dataset),
    `SELECT * FROM read_json(${literal(file)}, format = 'newline_delimited', columns = ${struct})`,
    { operation: 'append', partitionColumn: 'dt' },
  );
}

/** Rows of a query with numbers as numbers (BIGINT and DECIMAL come back as text). */
export async function rowsOf<T = Record<string, unknown>>(session: LakeSession, sql: string): Promise<T[]> {
  return session.all<T>(sql);
}
