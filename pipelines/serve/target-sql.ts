import { createReadStream } from 'node:fs';
import { ident } from '../../layers/index.js';
import { reason, ServingError } from './errors.js';
import type { ServingTarget } from './types.js';

/** PostgreSQL type OIDs returned as text, so both targets give the same JSON-safe values. */
export const TEXT_TYPE_OIDS: readonly number[] = [
  20, // int8: exact beyond 2^53
  1700, // numeric
  1082, // date: a Date would shift with the local time zone
  1114, // timestamp
  1184, // timestamptz: a Date would drop the microseconds
];

/** `DELETE FROM "schema"."table"` */
export function deleteAllSql(schema: string, table: string): string {
  return `DELETE FROM ${ident(schema)}.${ident(table)}`;
}

/** `COPY "schema"."table" ("a", "b") FROM <source> WITH (FORMAT csv, HEADER <header>)` */
export function copyFromSql(
  schema: string,
  table: string,
  columns: string[],
  source: string,
  header = true,
): string {
  if (columns.length === 0) throw new ServingError(`no columns to load into ${schema}.${table}`);
  const cols = columns.map(ident).join(', ');
  return `COPY ${ident(schema)}.${ident(table)} (${cols}) FROM ${source} WITH (FORMAT csv, HEADER ${header})`;
}

/** Throws (so the caller's transaction rolls back) when a COPY loaded another number of rows than expected. */
export function checkRowCount(
  schema: string,
  table: string,
  loaded: number,
  expected: number | undefined,
): void {
  if (expected !== undefined && loaded !== expected) {
    const message = `${schema}.${table}: COPY loaded ${loaded} rows, expected ${expected}; rolled back`;
    throw new ServingError(message, { permanent: true });
  }
}

/**
 * In one transaction: delete every row of `schema.table` and COPY the CSV file (with a header line)
 * into the named columns; returns the rows loaded. Readers see the old rows or the new, never none.
 * With `expectedRows`, a different count rolls the transaction back and throws.
 */
export function replaceFromCsv(
  target: ServingTarget,
  schema: string,
  table: string,
  columns: string[],
  csvPath: string,
  expectedRows?: number,
): Promise<number> {
  return target.transaction(async (tx) => {
    try {
      await tx.exec(deleteAllSql(schema, table));
      const rows = await tx.copyFrom(copyFromSql(schema, table, columns, 'STDIN'), createReadStream(csvPath));
      checkRowCount(schema, table, rows, expectedRows);
      return rows;
    } catch (error) {
      if (error instanceof ServingError && error.permanent) throw error;
      // The targets' own errors are already free of connection strings.
      throw new ServingError(`cannot load ${schema}.${table} into ${target.description}: ${reason(error)}`, {
        cause: error,
      });
    }
  });
}
