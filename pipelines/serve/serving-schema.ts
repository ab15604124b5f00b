import { createHash } from 'node:crypto';
import type { ColumnDef } from '../../layers/index.js';
import { ident, literal, readSqlFile } from '../../layers/index.js';
import { ServingError } from './errors.js';
import type { ServingTransaction } from './types.js';

/** Schema of the serving bookkeeping (state and migrations); BI readers cannot see it. */
export const STATE_SCHEMA = 'marketlake_serving';
/** The read-only role for BI users. */
export const READER_ROLE = 'marketlake_reader';

/** Table and column descriptions of a served table (from its model), written as COMMENTs. */
export interface TableDescription {
  description: string;
  columns: Readonly<Record<string, string>>;
}

/** A served column as PostgreSQL describes it: `format_type` text, e.g. `double precision`. */
interface ServedColumn {
  name: string;
  type: string;
}

const checksum = (text: string) => createHash('sha256').update(text).digest('hex');

/** Create the bookkeeping schema and the reader role (idempotent). */
export async function bootstrapServing(tx: ServingTransaction): Promise<void> {
  await tx.exec(readSqlFile('serving/_internal/serving_state.sql'));
  await tx.exec(readSqlFile('serving/_internal/reader_role.sql'));
}

/**
 * Apply `ddl` (a table's `sql/serving/<table>.sql`) unless this exact text was applied before,
 * and record it. The files are written to be re-run (`IF NOT EXISTS`, `ADD COLUMN IF NOT EXISTS`),
 * so an edited file is applied whole again. Returns whether it ran.
 */
export async function applyMigration(tx: ServingTransaction, table: string, ddl: string): Promise<boolean> {
  const sum = checksum(ddl);
  const [done] = await tx.query<{ checksum: string }>(
    `SELECT checksum FROM ${STATE_SCHEMA}.serving_migrations WHERE name = $1`,
    [table],
  );
  if (done?.checksum === sum && (await servedColumns(tx, table)).length > 0) return false;
  await tx.exec(ddl);
  await recordMigration(tx, table, sum);
  return true;
}

async function recordMigration(tx: ServingTransaction, name: string, sum: string): Promise<void> {
  await tx.query(
    `INSERT INTO ${STATE_SCHEMA}.serving_migrations (name, checksum) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()`,
    [name, sum],
  );
}

async function servedColumns(tx: ServingTransaction, table: string): Promise<ServedColumn[]> {
  return tx.query<ServedColumn>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'gold' AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [table],
  );
}

/** PostgreSQL type for a DuckDB column type; undefined when the CSV bridge cannot carry it. */
export function postgresType(duckdbType: string): string | undefined {
  const t = duckdbType.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return `numeric(${decimal[1]},${decimal[2]})`;
  const map: Record<string, string> = {
    VARCHAR: 'text',
    BOOLEAN: 'boolean',
    TINYINT: 'smallint',
    SMALLINT: 'smallint',
    INTEGER: 'integer',
    BIGINT: 'bigint',
    UTINYINT: 'smallint',
    USMALLINT: 'integer',
    UINTEGER: 'bigint',
    UBIGINT: 'numeric',
    HUGEINT: 'numeric',
    FLOAT: 'real',
    DOUBLE: 'double precision',
    DATE: 'date',
    TIME: 'time without time zone',
    TIMESTAMP: 'timestamp without time zone',
    'TIMESTAMP WITH TIME ZONE': 'timestamp with time zone',
    UUID: 'uuid',
    JSON: 'jsonb',
  };
  return map[t];
}

/** Served types that take a lake type's every value exactly (besides the same type). */
const WIDER: Record<string, readonly string[]> = {
  smallint: ['integer', 'bigint', 'numeric', 'double precision'],
  integer: ['bigint', 'numeric', 'double precision'],
  bigint: ['numeric'],
  real: ['double precision'],
};

function accepts(served: string, lake: string): boolean {
  if (served === lake || served === 'text') return true;
  const base = (t: string) => t.replace(/\(.*\)$/, '');
  if (base(served) === 'numeric' && (base(lake) === 'numeric' || lake === 'bigint')) return true;
  return (WIDER[lake] ?? []).includes(served);
}

/**
 * Bring the served table's columns in line with the lake's: a column the lake has and the served
 * table lacks is added (`ALTER TABLE ... ADD COLUMN`, recorded as a migration `<table>.<column>`);
 * a column whose served type cannot hold the lake's values exactly is refused with a message that
 * says what to do. Columns only the served table has stay (NULL in new rows). Returns the columns added.
 */
export async function reconcileColumns(
  tx: ServingTransaction,
  table: string,
  lakeColumns: readonly ColumnDef[],
): Promise<string[]> {
  const served = new Map((await servedColumns(tx, table)).map((c) => [c.name, c.type]));
  const added: string[] = [];
  for (const column of lakeColumns) {
    const want = postgresType(column.type);
    const have = served.get(column.name);
    if (want === undefined)
      throw new ServingError(
        `gold.${table}.${column.name}: the lake type ${column.type} cannot be served; cast it in the model`,
        { permanent: true },
      );
    if (have === undefined) {
      await tx.exec(`ALTER TABLE gold.${ident(table)} ADD COLUMN ${ident(column.name)} ${want}`);
      await recordMigration(tx, `${table}.${column.name}`, checksum(want));
      added.push(column.name);
    } else if (!accepts(have, want)) {
      throw new ServingError(
        `gold.${table}.${column.name} is ${have} in the serving database but ${want} (${column.type}) in the lake: ` +
          'an incompatible change; nothing was served. Write a migration in sql/serving that changes or ' +
          'drops the column, or drop the table to have it rebuilt',
        { permanent: true },
      );
    }
  }
  return added;
}

/** Table and column comments from the model's descriptions (for BI tools' data dictionaries). */
export async function commentTable(
  tx: ServingTransaction,
  table: string,
  description: TableDescription,
): Promise<void> {
  const name = `gold.${ident(table)}`;
  const served = new Set((await servedColumns(tx, table)).map((c) => c.name));
  const statements = [`COMMENT ON TABLE ${name} IS ${literal(description.description)}`];
  for (const [column, text] of Object.entries(description.columns)) {
    if (served.has(column)) statements.push(`COMMENT ON COLUMN ${name}.${ident(column)} IS ${literal(text)}`);
  }
  await tx.exec(statements.join(';\n'));
}

/** Let the reader role read gold (tables created since included), when the role exists. */
export async function grantReader(tx: ServingTransaction): Promise<void> {
  const [role] = await tx.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [READER_ROLE]);
  if (!role) return;
  await tx.exec(
    [
      `GRANT USAGE ON SCHEMA gold TO ${READER_ROLE}`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA gold TO ${READER_ROLE}`,
      `REVOKE ALL ON SCHEMA ${STATE_SCHEMA} FROM ${READER_ROLE}`,
    ].join(';\n'),
  );
}
