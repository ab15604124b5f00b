import { LakeSession } from '../../layers/index.js';
import { serve } from '../../orchestrator/index.js';
import { type CommandContext, out } from '../context.js';

/** Load the current gold tables into PostgreSQL (DATABASE_URL) or the embedded PGlite. */
export async function serveCommand(ctx: CommandContext): Promise<number> {
  const session = await LakeSession.open(ctx.lake);
  try {
    const served = await serve(session, ctx.config, ctx.lake);
    if (ctx.config.json) out(JSON.stringify(served, null, 2));
    else
      for (const t of served.tables) out(`gold.${t.table}: ${t.rows} rows in ${t.ms} ms -> ${served.target}`);
    return 0;
  } finally {
    session.close();
  }
}
