import { parseTableName, qualifiedName } from '../../layers/names.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

/** Every table with its layer, partitions, rows, bytes, current snapshot and last commit. */
export async function tablesCommand(ctx: CommandContext): Promise<number> {
  const rows = [];
  for (const ref of await ctx.lake.catalog.listTables()) {
    const snap = await ctx.lake.catalog.snapshot(ref);
    if (!snap) continue;
    rows.push({
      table: qualifiedName(ref),
      layer: ref.layer,
      partitions: new Set(snap.files.map((f) => f.partition)).size,
      files: snap.files.length,
      rows: snap.files.reduce((n, f) => n + f.rows, 0),
      bytes: snap.files.reduce((n, f) => n + f.bytes, 0),
      snapshot: snap.version,
      committed_at: snap.committedAt,
    });
  }
  if (ctx.config.json) out(JSON.stringify(rows, null, 2));
  else if (rows.length === 0)
    out(`no tables yet in ${ctx.lake.store.displayUrl}: run \`marketlake demo\` first`);
  else {
    out(renderTable(rows));
    out(`catalog: ${ctx.lake.catalog.description}`);
  }
  return 0;
}

/** The snapshot history of one table. */
export async function snapshotsCommand(ctx: CommandContext, table: string): Promise<number> {
  const ref = parseTableName(table);
  const history = await ctx.lake.catalog.history(ref);
  if (ctx.config.json) out(JSON.stringify(history, null, 2));
  else if (history.length === 0) out(`${table} has no snapshots`);
  else out(renderTable(history.map((h) => ({ ...h }))));
  return 0;
}
