import { type AsOf, LakeSession, literal, UsageError } from '../../layers/index.js';
import { type CommandContext, out } from '../context.js';
import { renderCsv, renderTable } from '../format.js';

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
  const session = await LakeSession.open(ctx.lake, {
    ...(asOf ? { asOf } : {}),
    ...(ctx.config.duckdbThreads ? { threads: ctx.config.duckdbThreads } : {}),
  });
  try {
    const statement = sql.trim().replace(/;\s*$/, '');
    if (format === 'parquet') {
      await session.ensureViewsFor(statement);
      await session.connection.run(
        `COPY (${statement}) TO ${literal(flags.out!)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      out(`wrote ${flags.out}`);
      return 0;
    }
    await session.ensureViewsFor(statement);
    const reader = await session.connection.runAndReadAll(statement);
    const columns = reader.columnNames();
    const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
    if (format === 'json' || ctx.config.json) out(JSON.stringify(rows, null, 2));
    else if (format === 'csv') process.stdout.write(renderCsv(rows, columns));
    else {
      out(renderTable(rows, columns));
      out(`${rows.length} row${rows.length === 1 ? '' : 's'}`);
    }
    return 0;
  } finally {
    session.close();
  }
}
