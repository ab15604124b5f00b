import { writeFile } from 'node:fs/promises';
import { DuckDBTypeId } from '@duckdb/node-api';
import type { AsOf } from '../../layers/catalog/catalog.js';
import { LakeSession } from '../../layers/duckdb/session.js';
import { assertOutsideLake } from '../../layers/duckdb/statement-guard.js';
import { UsageError } from '../../layers/errors.js';
import { type CommandContext, out } from '../context.js';
import { renderCsv, renderTable } from '../format.js';

/** DuckDB types whose values are free text (a CSV cell of these may need a formula guard). */
const TEXT_TYPES: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.VARCHAR,
  DuckDBTypeId.ENUM,
  DuckDBTypeId.BLOB,
]);

export const QUERY_FORMATS = ['table', 'csv', 'json', 'parquet'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

export interface QueryFlags {
  format: string;
  asOf?: string;
  out?: string;
}

/** Parse `--as-of`: a catalog snapshot id (an integer) or a timestamp. */
export function parseAsOf(value: string | undefined): AsOf | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new UsageError(`--as-of must be a snapshot id or a timestamp like 2024-03-04T15:00:00Z: ${value}`);
  }
  return new Date(ms);
}

export async function queryCommand(ctx: CommandContext, sql: string, flags: QueryFlags): Promise<number> {
  if (!(QUERY_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format must be one of ${QUERY_FORMATS.join(', ')}`);
  }
  const format = flags.format as QueryFormat;
  if (format === 'parquet' && !flags.out) throw new UsageError('--format parquet needs --out <file.parquet>');
  const asOf = parseAsOf(flags.asOf);
  // Results may go anywhere the user names with --out, except into the lake's own folders.
  if (flags.out) assertOutsideLake(flags.out, ctx.lake.store.localDirs());
  // 'analyst': the SQL may read the lake and local files, never write (COPY, ATTACH, SET ... are refused).
  const session = await LakeSession.open(ctx.lake, {
    access: 'analyst',
    ...(asOf ? { asOf } : {}),
    ...(ctx.config.duckdbThreads ? { threads: ctx.config.duckdbThreads } : {}),
  });
  try {
    const statement = sql.trim().replace(/;\s*$/, '');
    if (format === 'parquet') {
      // Our COPY around the checked query, to the file the user named.
      const rows = await session.writeUserQueryParquet(statement, flags.out!);
      out(`wrote ${rows} row${rows === 1 ? '' : 's'} to ${flags.out}`);
      return 0;
    }
    const reader = await session.runUserSql(statement);
    const columns = reader.columnNames();
    const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
    let text: string;
    if (format === 'json' || ctx.config.json) text = `${JSON.stringify(rows, null, 2)}\n`;
    else if (format === 'csv') {
      // Only text cells are guarded against spreadsheet formulas: numbers stay numbers.
      const textColumns = new Set(columns.filter((_, i) => TEXT_TYPES.has(reader.columnTypeId(i))));
      text = renderCsv(rows, columns, textColumns);
    } else {
      text = `${renderTable(rows, columns)}\n${rows.length} row${rows.length === 1 ? '' : 's'}\n`;
    }
    if (flags.out) {
      await writeFile(flags.out, text);
      out(`wrote ${rows.length} row${rows.length === 1 ? '' : 's'} to ${flags.out}`);
    } else process.stdout.write(text);
    return 0;
  } finally {
    session.close();
  }
}
