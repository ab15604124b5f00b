import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ColumnDef, DataFile, LakeSession, Logger, Snapshot } from '../../layers/index.js';
import { crashPoint, ident, literal, sqlDir, tableRef, UsageError } from '../../layers/index.js';
import { streamCsvFromDuckdb } from './duckdb-csv-stream.js';
import { reason, ServingError } from './errors.js';
import {
  dropMonths,
  dropOldTable,
  monthBounds,
  monthOf,
  nativePartitionColumn,
  planMonths,
  type StagedMonth,
  servedMonths,
  setAsidePlainTable,
  stageMonth,
  swapMonths,
} from './native-partitions.js';
import {
  applyMigration,
  bootstrapServing,
  commentTable,
  grantReader,
  reconcileColumns,
  STATE_SCHEMA,
  type TableDescription,
} from './serving-schema.js';
import { checkRowCount, copyFromSql } from './target-sql.js';
import type { ServingTarget, ServingTransaction } from './types.js';

/**
 * What a serve did to one table:
 * - loaded: replaced in full (new table, unknown or expired served snapshot, or `full`);
 * - partitions: only the partitions changed since the served snapshot were replaced;
 * - unchanged: the served table already holds this snapshot: no COPY;
 * - skipped: left at the version served before, on request (`skip`), with the reason.
 */
export type ServeStatus = 'loaded' | 'partitions' | 'unchanged' | 'skipped';

/** One gold table of a serve. */
export interface ServedTable {
  table: string;
  status: ServeStatus;
  /** Rows copied by this serve (0 when unchanged or skipped). */
  rows: number;
  ms: number;
  /** The lake table version the served table holds now; null when not known (not a catalog table, never served). */
  version: number | null;
  /** For `partitions`: how many partitions were replaced. */
  partitions?: number;
  /** For `skipped`: why. */
  reason?: string;
  /** Columns added to the served table to match the lake (ALTER TABLE). */
  addedColumns?: string[];
}

export interface ServeGoldOptions {
  /** The repository's `sql` folder; the DDL of a table is `<sqlDir>/serving/<table>.sql`. Default: sqlDir(). */
  sqlDir?: string;
  /** Folder for the named pipes DuckDB streams through (no data lands there). Default: the OS temp folder. */
  tmpDir?: string;
  /**
   * Tables NOT to serve this time, each with the reason (e.g. `{ fact_bars: 'check fact_bars_ohlc failed' }`):
   * they keep the version served before (or stay absent), and the result lists them as `skipped` with
   * the reason. The data-quality step passes the models whose error-severity checks failed, so served
   * data never includes them.
   */
  skip?: Readonly<Record<string, string>>;
  /** Reload every table in full, whatever the served snapshot. Default false. */
  full?: boolean;
  /** Descriptions of tables and columns (from the models), written as COMMENTs. */
  descriptions?: Readonly<Record<string, TableDescription>>;
  logger?: Logger;
}

const SCHEMA = 'gold';
const TABLE_NAME = /^[a-z][a-z0-9_]*$/;
/** Serves of one database take turns (pg_advisory_xact_lock key: "mlse"). */
const SERVE_LOCK_KEY = 0x6d6c7365;

interface ServedState {
  table_name: string;
  lake_id: string | null;
  table_version: number | null;
  row_count: string;
}

/** What is known about one table before the transaction. */
interface TablePlan {
  table: string;
  ddl: string;
  columns: ColumnDef[];
  snapshot: Snapshot | undefined;
}

/**
 * Serve the gold tables (the DuckDB views `gold.<table>` of the session, pinned to their lake
 * snapshots) into the target's schema `gold`, all in ONE transaction: a reader sees every table at
 * the previous serve or every table at this one, never a mix, an empty or a half-loaded table; a
 * serve interrupted anywhere (crash, kill -9, lost connection) leaves the previous version.
 *
 * Incremental: `marketlake_serving.served_tables` records the lake table version each served table
 * holds. A table whose version did not change (and whose row count still matches) is not copied;
 * a partitioned table replaces only the partitions whose files changed since the served version
 * (the catalog keeps both snapshots); otherwise the table is replaced in full. Rows stream from
 * DuckDB straight into `COPY FROM STDIN` (no temporary file); each COPY's row count is checked
 * against what DuckDB wrote.
 *
 * Schema: each table's `sql/serving/<table>.sql` is applied once per version of its text and
 * recorded in `marketlake_serving.serving_migrations`; a column new in the lake is added with
 * ALTER TABLE; an incompatible type change is refused (ServingError, nothing served). Table and
 * column comments come from `descriptions`; the role `marketlake_reader` may read gold only.
 *
 * Pass `skip` to keep named tables at their served version (see ServeGoldOptions.skip).
 */
export async function serveGold(
  session: LakeSession,
  target: ServingTarget,
  tables: string[],
  options: ServeGoldOptions = {},
): Promise<ServedTable[]> {
  for (const table of [...tables, ...Object.keys(options.skip ?? {})]) {
    if (!TABLE_NAME.test(table)) throw new UsageError(`invalid gold table name ${JSON.stringify(table)}`);
  }
  const ddlDir = join(options.sqlDir ?? sqlDir(), 'serving');
  // Every DDL file first: a missing one fails before anything is loaded.
  const ddls = await Promise.all(tables.map((table) => readDdl(ddlDir, table)));
  const skip = options.skip ?? {};
  const plans: TablePlan[] = [];
  for (const [i, table] of tables.entries()) {
    const view = `${ident(SCHEMA)}.${ident(table)}`;
    const columns = table in skip ? [] : await viewColumns(session, view);
    plans.push({ table, ddl: ddls[i] ?? '', columns, snapshot: session.snapshotOf(tableRef('gold', table)) });
  }
  const lakeId = await session.lake.catalog.lakeId().catch(() => null);
  const work = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'marketlake-serve-'));
  try {
    const served = await target.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [SERVE_LOCK_KEY]);
      await bootstrapServing(tx);
      const states = new Map(
        (await tx.query<ServedState>(`SELECT * FROM ${STATE_SCHEMA}.served_tables`)).map((s) => [
          s.table_name,
          s,
        ]),
      );
      const out: ServedTable[] = [];
      // Partition swaps lock their table against readers until the commit: they all run at the end.
      const finishing: (() => Promise<void>)[] = [];
      let copied = 0;
      for (const plan of plans) {
        const started = performance.now();
        const state = states.get(plan.table);
        const why = skip[plan.table];
        if (why !== undefined) {
          out.push({
            table: plan.table,
            status: 'skipped',
            rows: 0,
            ms: 0,
            version: state?.table_version ?? null,
            reason: why,
          });
          continue;
        }
        // A table served plain by an earlier version whose DDL now partitions it: set aside, reloaded in full.
        const setAside = await setAsidePlainTable(tx, plan.table, plan.ddl);
        await applyMigration(tx, plan.table, plan.ddl);
        const addedColumns = await reconcileColumns(tx, plan.table, plan.columns);
        const description = options.descriptions?.[plan.table];
        if (description) await commentTable(tx, plan.table, description);
        const full = options.full === true || setAside !== undefined;
        const { finish, servedRows, ...result } = await serveTable(
          session,
          tx,
          plan,
          state,
          lakeId,
          full,
          work,
        );
        if (result.status !== 'unchanged') {
          finishing.push(async () => {
            await finish?.();
            if (setAside) await dropOldTable(tx, plan.table, setAside);
            await recordState(tx, plan.table, lakeId, plan.snapshot, servedRows);
          });
        }
        const entry: ServedTable = {
          table: plan.table,
          ...result,
          ms: Math.round(performance.now() - started),
          ...(addedColumns.length ? { addedColumns } : {}),
        };
        out.push(entry);
        options.logger?.info(
          { ...entry, target: target.description },
          `serve gold.${plan.table}: ${entry.status}`,
        );
        if (entry.status !== 'unchanged' && copied++ === 0) crashPoint('serve-after-first-table');
      }
      await grantReader(tx);
      // Last, so that the locks a partition swap takes are held for milliseconds before the commit.
      for (const finish of finishing) await finish();
      // The whole serve is one transaction: a crash here leaves every table at its previous version.
      crashPoint('serve-in-transaction');
      return out;
    });
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

/** Files per partition value (null = NULL partition), as a comparable fingerprint. */
function partitionFingerprints(files: readonly DataFile[]): Map<string | null, string> {
  const keys = new Map<string | null, string[]>();
  for (const f of files) keys.set(f.partition, [...(keys.get(f.partition) ?? []), f.key]);
  return new Map([...keys].map(([p, k]) => [p, k.sort().join('\n')]));
}

/** Partitions whose files differ between two snapshots of one table. */
function changedPartitions(before: Snapshot, after: Snapshot): (string | null)[] {
  const a = partitionFingerprints(before.files);
  const b = partitionFingerprints(after.files);
  return [...new Set([...a.keys(), ...b.keys()])].filter((p) => a.get(p) !== b.get(p));
}

type TableResult = Omit<ServedTable, 'table' | 'ms' | 'addedColumns'> & {
  /** Work left for the end of the transaction (swapping staged partitions in). */
  finish?: () => Promise<void>;
  /** The rows the served table holds once finished, when known without counting them. */
  servedRows?: number;
};

async function serveTable(
  session: LakeSession,
  tx: ServingTransaction,
  plan: TablePlan,
  state: ServedState | undefined,
  lakeId: string | null,
  full: boolean,
  work: string,
): Promise<TableResult> {
  const { table, snapshot } = plan;
  const name = `${ident(SCHEMA)}.${ident(table)}`;
  const version = snapshot?.version ?? null;
  const native = await nativePartitionColumn(tx, table);
  const known = !full && snapshot && state && state.table_version !== null && state.lake_id === lakeId;
  if (known) {
    // The served table still has the rows recorded (nobody emptied or edited it behind our back)?
    const [count] = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}`);
    const intact = count?.n === String(state.row_count);
    if (intact && state.table_version === snapshot.version) return { status: 'unchanged', rows: 0, version };
    const before =
      intact && snapshot.partitionColumn
        ? await session.lake.catalog
            .snapshotVersion(tableRef('gold', table), state.table_version!)
            .catch(() => undefined)
        : undefined;
    if (before && before.partitionColumn === snapshot.partitionColumn && snapshot.partitionColumn) {
      const partitions = changedPartitions(before, snapshot);
      if (!native) {
        const rows = await replacePartitions(session, tx, plan, snapshot.partitionColumn, partitions, work);
        return { status: 'partitions', rows, version, partitions: partitions.length };
      }
      const days = partitions.filter((p): p is string => p !== null && monthOf(p) !== undefined);
      if (native === snapshot.partitionColumn && days.length === partitions.length) {
        const result = await serveMonths(session, tx, plan, native, work, days);
        return { status: 'partitions', version, partitions: partitions.length, ...result };
      }
    }
  }
  if (native) return { status: 'loaded', version, ...(await serveMonths(session, tx, plan, native, work)) };
  const [{ empty } = { empty: false }] = await tx.query<{ empty: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM ${name}) AS empty`,
  );
  // Into an empty table (a first load): load without its indexes and build them after, PostgreSQL's
  // advice for bulk loads (much faster than keeping a primary key up to date row by row). Readers of
  // a table that has rows keep reading the old rows during the reload instead (DELETE + COPY).
  const rebuild = empty ? await dropIndexes(tx, name) : undefined;
  const rows = await copyRows(session, tx, plan, undefined, work, empty ? undefined : `DELETE FROM ${name}`);
  await rebuild?.();
  await tx.exec(`ANALYZE ${name}`);
  return { status: 'loaded', rows, version };
}

/**
 * Serve a table PostgreSQL partitions by month of `column` (see native-partitions.ts): every month
 * of the lake (a full load), or the months of `changedDays`. Rebuilt months are loaded beside the
 * served ones now and swapped in by `finish`; changed days of a mostly unchanged month are
 * deleted and copied in place.
 */
async function serveMonths(
  session: LakeSession,
  tx: ServingTransaction,
  plan: TablePlan,
  column: string,
  work: string,
  changedDays?: string[],
): Promise<{ rows: number; servedRows: number; finish: () => Promise<void> }> {
  const col = ident(column);
  const lakeRowsByDay = changedDays
    ? rowsByPartition(plan.snapshot?.files ?? [])
    : await lakeRowsPerDay(session, plan.table, column);
  const served = await servedMonths(tx, plan.table);
  const months = planMonths(lakeRowsByDay, served, changedDays);
  const staged: StagedMonth[] = [];
  const dropped: string[] = [];
  let rows = 0;
  for (const [month, { action, days }] of [...months].sort(([a], [b]) => a.localeCompare(b))) {
    if (action === 'drop') {
      dropped.push(served.get(month)!);
    } else if (action === 'days') {
      rows += await replacePartitions(session, tx, plan, column, days, work);
    } else {
      const { from, to } = monthBounds(month);
      const where = `${col} >= ${literal(from)}::DATE AND ${col} < ${literal(to)}::DATE`;
      const loaded = await stageMonth(tx, plan.table, column, month, (staging) =>
        copyRows(session, tx, plan, where, work, undefined, undefined, staging),
      );
      staged.push(loaded.staged);
      rows += loaded.rows;
    }
  }
  return {
    rows,
    servedRows: [...lakeRowsByDay.values()].reduce((a, b) => a + b, 0),
    finish: async () => {
      await dropMonths(tx, dropped);
      await swapMonths(tx, plan.table, staged, served);
    },
  };
}

/** Rows per partition value of a snapshot's files. */
function rowsByPartition(files: readonly DataFile[]): Map<string, number> {
  const rows = new Map<string, number>();
  for (const f of files)
    if (f.partition !== null) rows.set(f.partition, (rows.get(f.partition) ?? 0) + f.rows);
  return rows;
}

/** Rows per day of the lake table; a row without a valid date cannot go into a month partition. */
async function lakeRowsPerDay(
  session: LakeSession,
  table: string,
  column: string,
): Promise<Map<string, number>> {
  const col = ident(column);
  const byDay = await session.all<{ day: string | null; n: number }>(
    `SELECT CAST(${col} AS VARCHAR) AS day, count(*)::DOUBLE AS n FROM ${ident(SCHEMA)}.${ident(table)} GROUP BY 1`,
  );
  const rows = new Map<string, number>();
  for (const { day, n } of byDay) {
    if (day === null || monthOf(day) === undefined) {
      throw new ServingError(
        `gold.${table}: ${n} row(s) have ${day === null ? 'no' : `${JSON.stringify(day)} as`} ${column}, ` +
          `but the served table is partitioned by month of ${column}; nothing was served`,
        { permanent: true },
      );
    }
    rows.set(day, n);
  }
  return rows;
}

/** Drop the table's indexes and constraints backed by one; returns the function that rebuilds them. */
async function dropIndexes(tx: ServingTransaction, name: string): Promise<() => Promise<void>> {
  const indexes = await tx.query<{
    index_name: string;
    index_def: string;
    con_name: string | null;
    con_def: string | null;
  }>(
    `SELECT i.indexrelid::regclass::text AS index_name, pg_get_indexdef(i.indexrelid) AS index_def,
       c.conname AS con_name, pg_get_constraintdef(c.oid) AS con_def
     FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
     WHERE i.indrelid = $1::regclass ORDER BY c.conname NULLS LAST`,
    [name],
  );
  for (const index of indexes) {
    await tx.exec(
      index.con_name
        ? `ALTER TABLE ${name} DROP CONSTRAINT ${ident(index.con_name)}`
        : `DROP INDEX ${index.index_name}`,
    );
  }
  return async () => {
    await tx.exec("SET LOCAL maintenance_work_mem = '256MB'");
    for (const index of indexes) {
      await tx.exec(
        index.con_name && index.con_def
          ? `ALTER TABLE ${name} ADD CONSTRAINT ${ident(index.con_name)} ${index.con_def}`
          : index.index_def,
      );
    }
  };
}

/** Replace the rows of the given partitions (values as the catalog names them; null = NULL). */
async function replacePartitions(
  session: LakeSession,
  tx: ServingTransaction,
  plan: TablePlan,
  column: string,
  partitions: (string | null)[],
  work: string,
): Promise<number> {
  if (partitions.length === 0) return 0;
  const values = partitions.filter((p): p is string => p !== null);
  const hasNull = values.length < partitions.length;
  const col = ident(column);
  const lakeFilter = [
    values.length ? `CAST(${col} AS VARCHAR) IN (${values.map(literal).join(', ')})` : '',
    hasNull ? `${col} IS NULL` : '',
  ]
    .filter(Boolean)
    .join(' OR ');
  return copyRows(session, tx, plan, lakeFilter, work, undefined, async () => {
    await tx.query(partitionDeleteSql(plan.table, column, hasNull), [values]);
  });
}

/**
 * `DELETE FROM gold.<table> WHERE <column> = ANY($1)` (`OR <column> IS NULL` with `hasNull`); $1 is
 * the partition values as text. The parameter is left untyped so PostgreSQL types it as an array of
 * the column's own type (e.g. date[]): the comparison stays on the column, which an index on it can
 * serve, where `column::text = ANY(...)` scanned the whole table.
 */
export function partitionDeleteSql(table: string, column: string, hasNull: boolean): string {
  const col = ident(column);
  return `DELETE FROM ${ident(SCHEMA)}.${ident(table)} WHERE ${col} = ANY($1)${hasNull ? ` OR ${col} IS NULL` : ''}`;
}

/**
 * Delete (`deleteSql` or `deleteFn`), then stream the view's rows (`where`, if given) into the
 * served table (or `into`, another table of the serving schema with the same columns).
 */
async function copyRows(
  session: LakeSession,
  tx: ServingTransaction,
  plan: TablePlan,
  where: string | undefined,
  work: string,
  deleteSql?: string,
  deleteFn?: () => Promise<void>,
  into = plan.table,
): Promise<number> {
  if (deleteSql) await tx.exec(deleteSql);
  await deleteFn?.();
  const names = plan.columns.map((c) => c.name);
  const select = `SELECT ${names.map(ident).join(', ')} FROM ${ident(SCHEMA)}.${ident(plan.table)}${where ? ` WHERE ${where}` : ''}`;
  const copy = copyFromSql(SCHEMA, into, names, 'STDIN', false);
  const { loaded, written } = await streamCsvFromDuckdb(session, select, work, (csv) =>
    tx.copyFrom(copy, csv),
  );
  checkRowCount(SCHEMA, plan.table, loaded, Number.isInteger(written) ? written : undefined);
  return loaded;
}

async function recordState(
  tx: ServingTransaction,
  table: string,
  lakeId: string | null,
  snapshot: Snapshot | undefined,
  rows?: number,
): Promise<void> {
  const name = `${ident(SCHEMA)}.${ident(table)}`;
  // Counted unless known: a swapped partitioned table holds the lake's rows, counting them would
  // keep readers waiting on the swap's lock.
  await tx.query(
    `INSERT INTO ${STATE_SCHEMA}.served_tables (table_name, lake_id, table_version, snapshot_id, row_count)
     SELECT $1, $2, $3, $4, ${rows === undefined ? `count(*) FROM ${name}` : '$5::bigint'}
     ON CONFLICT (table_name) DO UPDATE SET lake_id = excluded.lake_id, table_version = excluded.table_version,
       snapshot_id = excluded.snapshot_id, row_count = excluded.row_count, served_at = now()`,
    [
      table,
      lakeId,
      snapshot?.version ?? null,
      snapshot?.snapshotId ?? null,
      ...(rows === undefined ? [] : [rows]),
    ],
  );
}

async function viewColumns(session: LakeSession, view: string): Promise<ColumnDef[]> {
  try {
    return await session.describe(`SELECT * FROM ${view}`);
  } catch (error) {
    throw new ServingError(`cannot read ${view} in the lake session: ${reason(error)}`, {
      cause: error,
      permanent: true,
    });
  }
}
