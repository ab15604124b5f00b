import { LakeSession, redactUrl } from '../../layers/index.js';
import { serve } from '../../orchestrator/index.js';
import { type CommandContext, out } from '../context.js';

export interface ServeFlags {
  target?: string[];
  full?: boolean;
  skip?: string[];
}

/** Load the gold tables that changed into PostgreSQL (DATABASE_URL or --target) or the embedded PGlite. */
export async function serveCommand(ctx: CommandContext, flags: ServeFlags = {}): Promise<number> {
  const session = await LakeSession.open(ctx.lake);
  try {
    const served = await serve(session, ctx.config, ctx.lake, {
      ...(flags.target?.length ? { targets: flags.target } : {}),
      ...(flags.full ? { full: true } : {}),
      ...(flags.skip?.length
        ? { skip: Object.fromEntries(flags.skip.map((t) => [t, 'skipped on the command line (--skip)'])) }
        : {}),
    });
    if (ctx.config.json) {
      out(JSON.stringify(served, null, 2));
      return 0;
    }
    for (const { target, tables } of served.targets) {
      for (const t of tables) out(`gold.${t.table}: ${describe(t)} -> ${redactUrl(target)}`);
      if (tables.every((t) => t.status === 'unchanged' || t.status === 'skipped'))
        out(`nothing new to serve to ${target}: no COPY`);
    }
    return 0;
  } finally {
    session.close();
  }
}

function describe(t: Awaited<ReturnType<typeof serve>>['tables'][number]): string {
  const version = t.version === null ? '' : ` (lake version ${t.version})`;
  switch (t.status) {
    case 'loaded':
      return `${t.rows} rows in ${t.ms} ms${version}`;
    case 'partitions':
      return `${t.rows} rows in ${t.partitions} changed partitions in ${t.ms} ms${version}`;
    case 'unchanged':
      return `unchanged${version}, not copied`;
    case 'skipped':
      return `skipped: ${t.reason}, kept at the version served before`;
  }
}
