import { compactTable, LakeSession, parseTableName, UsageError, vacuum } from '../../layers/index.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parse a duration like `30m`, `1h`, `7d` or `0`. */
export function parseDuration(text: string, flag: string): number {
  if (text === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text);
  if (!m) throw new UsageError(`${flag} must be a duration like 30m, 1h or 7d: ${text}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** Expire old snapshots and remove files nothing references (crashed writers, expired snapshots). */
export async function vacuumCommand(
  ctx: CommandContext,
  flags: { olderThan: string; retain: string },
): Promise<number> {
  const result = await vacuum(ctx.lake, {
    orphanGraceMs: parseDuration(flags.olderThan, '--older-than'),
    retainSnapshotsMs: parseDuration(flags.retain, '--retain'),
  });
  ctx.logger.info({ ...result }, 'vacuum finished');
  if (ctx.config.json) out(JSON.stringify(result));
  else
    out(
      `removed ${result.expiredFiles} file(s) of expired snapshots and ${result.orphanFiles} orphan file(s) (${result.bytesFreed} bytes)`,
    );
  return 0;
}

/** Merge small files partition by partition without changing query results. */
export async function compactCommand(
  ctx: CommandContext,
  tables: string[],
  flags: { minFiles: number },
): Promise<number> {
  const refs = tables.length ? tables.map(parseTableName) : await ctx.lake.catalog.listTables();
  const session = await LakeSession.open(ctx.lake);
  try {
    const results = [];
    for (const ref of refs) results.push(await compactTable(session, ref, flags.minFiles));
    const changed = results.filter((r) => r.partitions > 0);
    if (ctx.config.json) out(JSON.stringify(results, null, 2));
    else if (changed.length === 0) out('nothing to compact');
    else out(renderTable(changed.map((r) => ({ ...r }))));
    return 0;
  } finally {
    session.close();
  }
}
