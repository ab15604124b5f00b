import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LakeSession, Logger } from '../../layers/index.js';
import { crashPoint, ident, literal, sqlDir, UsageError } from '../../layers/index.js';
import { reason, ServingError } from './errors.js';

import type { ServingTarget } from './types.js';

/** One gold table loaded into the serving database. */
export interface ServedTable {
  table: string;
  rows: number;
  ms: number;
}

export interface ServeGoldOptions {
  /** The repository's `sql` folder; the DDL of a table is `<sqlDir>/serving/<table>.sql`. Default: sqlDir(). */
  sqlDir?: string;
  /** Folder for the temporary CSV files (as large as the biggest table). Default: the OS temp folder. */
  tmpDir?: string;
  logger?: Logger;
}

const SCHEMA = 'gold';
const TABLE_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Load each gold table's current snapshot (the DuckDB view `gold.<table>` of the session) into the
 * target's schema `gold`: create the table from its DDL file if needed, then replace its rows in one
 * transaction. Tables are replaced one after the other, not all at once.
 */
export async function serveGold(
  session: LakeSession,
  target: ServingTarget,
  tables: string[],
  options: ServeGoldOptions = {},
): Promise<ServedTable[]> {
  for (const table of tables) {
    if (!TABLE_NAME.test(table)) throw new UsageError(`invalid gold table name ${JSON.stringify(table)}`);
  }
  const ddlDir = join(options.sqlDir ?? sqlDir(), 'serving');
  // Every DDL file first: a missing one fails before anything is loaded.
  const ddls = await Promise.all(tables.map((table) => readDdl(ddlDir, table)));
  const work = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'marketlake-serve-'));
  try {
    const served: ServedTable[] = [];
    for (const [i, table] of tables.entries()) {
      const result = await serveTable(session, target, table, ddls[i] ?? '', work);
      options.logger?.info({ ...result, target: target.description }, `served gold.${table}`);
      served.push(result);
      crashPoint('serve-after-first-table');
    }
    return served;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function readDdl(ddlDir: string, table: string): Promise<string> {
  const file = join(ddlDir, `${table}.sql`);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ServingError(`no serving DDL for gold.${table}: cannot read ${file} (${reason(error)})`, {
      cause: error,
      permanent: true,
    });
  }
}

async function serveTable(
  session: LakeSession,
  target: ServingTarget,
  table: string,
  ddl: string,
  work: string,
): Promise<ServedTable> {
  const started = performance.now();
  await target.exec(ddl);
  const view = `${ident(SCHEMA)}.${ident(table)}`;
  const columns = await viewColumns(session, view);
  const csv = join(work, `${table}.csv`);
  try {
    // DuckDB writes TIMESTAMPTZ as `2024-01-02 14:30:00.123456+00` and doubles in shortest round-trip
    // form: PostgreSQL reads both back exactly. NULL is an empty field, an empty string is `""`.
    const select = `SELECT ${columns.map(ident).join(', ')} FROM ${view}`;
    const written = await session.all<{ Count: string | number }>(
      `COPY (${select}) TO ${literal(csv)} (FORMAT csv, HEADER true)`,
    );
    const expected = Number(written[0]?.Count);
    const rows = await target.replaceFromCsv(
      SCHEMA,
      table,
      columns,
      csv,
      Number.isInteger(expected) ? expected : undefined,
    );
    return { table, rows, ms: Math.round(performance.now() - started) };
  } finally {
    await rm(csv, { force: true });
  }
}

async function viewColumns(session: LakeSession, view: string): Promise<string[]> {
  try {
    return (await session.describe(`SELECT * FROM ${view}`)).map((c) => c.name);
  } catch (error) {
    throw new ServingError(`cannot read ${view} in the lake session: ${reason(error)}`, {
      cause: error,
      permanent: true,
    });
  }
}
