import { ident, literal } from '../../layers/index.js';
import { reason, ServingError } from './errors.js';
import { STATE_SCHEMA } from './serving-schema.js';
import type { ServingTransaction } from './types.js';

/**
 * Served tables that PostgreSQL partitions natively: `PARTITION BY RANGE (<date column>)` in the
 * table's `sql/serving/<table>.sql`, one partition per calendar month, named `<table>_pYYYYMM`.
 *
 * Why months: a partition per session date would give a 10-year table 2,500 relations, slow for the
 * planner and for every query that does not filter on the date; a month is large enough to keep the
 * count small and small enough that rebuilding one is cheap. A month is replaced by loading a new
 * table beside it (no indexes during COPY, indexes built after, a CHECK that lets ATTACH skip its
 * scan) and swapping it in at the end of the serve transaction; a change to a few days of a month
 * deletes and copies those days in place instead (see planMonths).
 */

const SCHEMA = 'gold';
const DAY = /^(\d{4})-(\d{2})-\d{2}$/;
/** PostgreSQL's limit on identifier length (NAMEDATALEN - 1). */
const MAX_NAME = 63;

/** `2024-03-05` -> `2024-03`; undefined for anything that is not a `YYYY-MM-DD` date. */
export function monthOf(day: string): string | undefined {
  const m = DAY.exec(day);
  return m ? `${m[1]}-${m[2]}` : undefined;
}

/** The range of a month: `2024-12` -> [`2024-12-01`, `2025-01-01`). */
export function monthBounds(month: string): { from: string; to: string } {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const next = mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
  return { from: `${month}-01`, to: `${next}-01` };
}

/** `fact_bars`, `2024-03` -> `fact_bars_p202403`. */
export function partitionName(table: string, month: string): string {
  return `${table}_p${month.replace('-', '')}`;
}

/** The date column a served table is RANGE-partitioned by, or undefined for a plain table. */
export async function nativePartitionColumn(
  tx: ServingTransaction,
  table: string,
): Promise<string | undefined> {
  const [row] = await tx.query<{ column: string }>(
    `SELECT a.attname AS column
     FROM pg_partitioned_table p
     JOIN pg_class c ON c.oid = p.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
     WHERE n.nspname = $1 AND c.relname = $2 AND p.partstrat = 'r' AND p.partnatts = 1`,
    [SCHEMA, table],
  );
  return row?.column;
}

/** The served month partitions of a partitioned table: month (`YYYY-MM`) -> partition table name. */
export async function servedMonths(tx: ServingTransaction, table: string): Promise<Map<string, string>> {
  const rows = await tx.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass`,
    [`${SCHEMA}.${ident(table)}`],
  );
  const months = new Map<string, string>();
  for (const row of rows) {
    const from = /FROM \('(\d{4}-\d{2})-01'\) TO/.exec(row.bound);
    if (!from?.[1]) {
      throw new ServingError(
        `gold.${table} has a partition ${row.name} (${row.bound}) that is not one calendar month; ` +
          'marketlake manages the partitions of this table: detach or drop that one',
        { permanent: true },
      );
    }
    months.set(from[1], row.name);
  }
  return months;
}

/**
 * What to do with each month of a partitioned table, from the lake's rows per day (changed days
 * only when `changedDays` is given, else every day: a full load):
 * - `rebuild`: load the whole month beside the served one and swap it in (new month, full load, or
 *   at least half the month's rows changed: copying the month then costs less than deleting and
 *   re-inserting half of it with its indexes kept up to date);
 * - `days`: delete and copy the changed days in place;
 * - `drop`: the lake has no rows of the month any more.
 */
export function planMonths(
  lakeRowsByDay: ReadonlyMap<string, number>,
  served: ReadonlyMap<string, string>,
  changedDays?: readonly string[],
): Map<string, { action: 'rebuild' | 'days' | 'drop'; days: string[] }> {
  const monthRows = new Map<string, number>();
  for (const [day, rows] of lakeRowsByDay) {
    const month = monthOf(day)!;
    monthRows.set(month, (monthRows.get(month) ?? 0) + rows);
  }
  const plan = new Map<string, { action: 'rebuild' | 'days' | 'drop'; days: string[] }>();
  if (!changedDays) {
    for (const month of monthRows.keys()) plan.set(month, { action: 'rebuild', days: [] });
    for (const month of served.keys())
      if (!monthRows.has(month)) plan.set(month, { action: 'drop', days: [] });
    return plan;
  }
  const byMonth = new Map<string, string[]>();
  for (const day of changedDays) {
    const month = monthOf(day)!;
    byMonth.set(month, [...(byMonth.get(month) ?? []), day]);
  }
  for (const [month, days] of byMonth) {
    const total = monthRows.get(month) ?? 0;
    const changed = days.reduce((sum, day) => sum + (lakeRowsByDay.get(day) ?? 0), 0);
    if (total === 0) {
      if (served.has(month)) plan.set(month, { action: 'drop', days });
    } else if (!served.has(month) || changed * 2 >= total) plan.set(month, { action: 'rebuild', days });
    else plan.set(month, { action: 'days', days });
  }
  return plan;
}

/** An index or constraint of the partitioned parent, to build on a staged month the same way. */
interface ParentIndex {
  index_name: string;
  is_unique: boolean;
  index_def: string;
  con_name: string | null;
  con_def: string | null;
}

/** A month loaded into its own table, not yet part of the served table. */
export interface StagedMonth {
  month: string;
  staging: string;
  /** Index name suffixes built on the staging table, to rename after the swap. */
  suffixes: { name: string; constraint: boolean }[];
}

/** `<table>_<rest>` -> `<partition>_<rest>`, within PostgreSQL's name length. */
function childName(table: string, parentName: string, prefix: string, position: number): string {
  const rest = parentName.startsWith(`${table}_`) ? parentName.slice(table.length + 1) : parentName;
  const name = `${prefix}_${rest}`;
  return name.length <= MAX_NAME ? name : `${prefix}_i${position}`;
}

/**
 * Create `<partition>_load` for `month` with the parent's columns and a CHECK of the month's range,
 * fill it with `load` (which COPYs into the named table and returns the rows), then build the
 * parent's indexes and primary key on it and ANALYZE it. Readers of the served table are not
 * blocked: the staged table is not part of it until swapMonths.
 */
export async function stageMonth(
  tx: ServingTransaction,
  table: string,
  column: string,
  month: string,
  load: (staging: string) => Promise<number>,
): Promise<{ staged: StagedMonth; rows: number }> {
  const partition = partitionName(table, month);
  const staging = `${partition}_load`;
  const { from, to } = monthBounds(month);
  const col = ident(column);
  const name = `${SCHEMA}.${ident(staging)}`;
  await tx.exec(
    `DROP TABLE IF EXISTS ${name};
     CREATE TABLE ${name} (LIKE ${SCHEMA}.${ident(table)} INCLUDING DEFAULTS,
       CONSTRAINT ${ident(`${staging}_bounds`)} CHECK (${col} IS NOT NULL AND ${col} >= ${literal(from)}::date AND ${col} < ${literal(to)}::date))`,
  );
  const rows = await load(staging);
  await tx.exec("SET LOCAL maintenance_work_mem = '256MB'");
  const suffixes: StagedMonth['suffixes'] = [];
  for (const [position, index] of (await parentIndexes(tx, table)).entries()) {
    const indexName = childName(table, index.con_name ?? index.index_name, staging, position);
    if (index.con_name && index.con_def) {
      await tx.exec(`ALTER TABLE ${name} ADD CONSTRAINT ${ident(indexName)} ${index.con_def}`);
    } else {
      const using = index.index_def.indexOf(' USING ');
      if (using < 0) throw new ServingError(`cannot read the definition of index ${index.index_name}`);
      await tx.exec(
        `CREATE ${index.is_unique ? 'UNIQUE ' : ''}INDEX ${ident(indexName)} ON ${name}${index.index_def.slice(using)}`,
      );
    }
    suffixes.push({ name: indexName.slice(staging.length + 1), constraint: index.con_name !== null });
  }
  await tx.exec(`ANALYZE ${name}`);
  return { staged: { month, staging, suffixes }, rows };
}

async function parentIndexes(tx: ServingTransaction, table: string): Promise<ParentIndex[]> {
  return tx.query<ParentIndex>(
    `SELECT ic.relname AS index_name, i.indisunique AS is_unique, pg_get_indexdef(i.indexrelid) AS index_def,
       c.conname AS con_name, pg_get_constraintdef(c.oid) AS con_def
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
     LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
     WHERE i.indrelid = $1::regclass ORDER BY ic.relname`,
    [`${SCHEMA}.${ident(table)}`],
  );
}

/**
 * Swap staged months in: drop the served month (if any), rename the staged table and its indexes
 * to the month's names, ATTACH it (the CHECK proves the range, so PostgreSQL does not scan it, and
 * the indexes built match the parent's, so none is built here). Run at the end of the serve
 * transaction: dropping a partition locks the parent against readers until the commit, which is
 * then a matter of milliseconds.
 */
export async function swapMonths(
  tx: ServingTransaction,
  table: string,
  staged: readonly StagedMonth[],
  served: ReadonlyMap<string, string>,
): Promise<void> {
  const parent = `${SCHEMA}.${ident(table)}`;
  for (const month of staged) {
    const partition = partitionName(table, month.month);
    const old = served.get(month.month);
    if (old) await tx.exec(`DROP TABLE ${SCHEMA}.${ident(old)}`);
    const name = `${SCHEMA}.${ident(partition)}`;
    const statements = [`ALTER TABLE ${SCHEMA}.${ident(month.staging)} RENAME TO ${ident(partition)}`];
    for (const { name: suffix, constraint } of month.suffixes) {
      const from = ident(`${month.staging}_${suffix}`);
      const to = ident(`${partition}_${suffix}`);
      statements.push(
        constraint
          ? `ALTER TABLE ${name} RENAME CONSTRAINT ${from} TO ${to}`
          : `ALTER INDEX ${SCHEMA}.${from} RENAME TO ${to}`,
      );
    }
    const { from, to } = monthBounds(month.month);
    statements.push(
      `ALTER TABLE ${parent} ATTACH PARTITION ${name} FOR VALUES FROM (${literal(from)}) TO (${literal(to)})`,
      `ALTER TABLE ${name} DROP CONSTRAINT ${ident(`${month.staging}_bounds`)}`,
    );
    await tx.exec(statements.join(';\n'));
  }
}

/** Drop served months the lake no longer has. */
export async function dropMonths(tx: ServingTransaction, partitions: readonly string[]): Promise<void> {
  for (const partition of partitions) await tx.exec(`DROP TABLE ${SCHEMA}.${ident(partition)}`);
}

/**
 * When a table's DDL now declares `PARTITION BY` and the served table is a plain one (served by an
 * earlier version), move the plain table aside (to the bookkeeping schema, with its indexes and
 * grants) so the DDL creates the partitioned table; the caller loads it in full in the same
 * transaction and then drops the old one (dropOldTable). Returns the old table's name, if moved.
 */
export async function setAsidePlainTable(
  tx: ServingTransaction,
  table: string,
  ddl: string,
): Promise<string | undefined> {
  if (!/\bPARTITION\s+BY\b/i.test(ddl)) return undefined;
  const [row] = await tx.query<{ kind: string }>(
    `SELECT c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2`,
    [SCHEMA, table],
  );
  if (row?.kind !== 'r') return undefined;
  const old = `${table}_unpartitioned`;
  await tx.exec(
    `DROP TABLE IF EXISTS ${STATE_SCHEMA}.${ident(old)};
     ALTER TABLE ${SCHEMA}.${ident(table)} SET SCHEMA ${STATE_SCHEMA};
     ALTER TABLE ${STATE_SCHEMA}.${ident(table)} RENAME TO ${ident(old)}`,
  );
  return old;
}

/** Drop the plain table set aside by setAsidePlainTable; a view on it stops the serve with advice. */
export async function dropOldTable(tx: ServingTransaction, table: string, old: string): Promise<void> {
  try {
    await tx.exec(`DROP TABLE ${STATE_SCHEMA}.${ident(old)}`);
  } catch (error) {
    throw new ServingError(
      `gold.${table} is now partitioned by month, but the table served before cannot be dropped ` +
        `(${reason(error)}); nothing was served. Drop the views that read gold.${table}, serve, then create them again`,
      { cause: error, permanent: true },
    );
  }
}
