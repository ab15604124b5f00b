import { LakeSession } from '../../layers/index.js';
import { MODELS } from '../../models/index.js';
import { buildDag } from '../../orchestrator/index.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

/** Every model with its grain, upstream tables (read from its SQL) and downstream models. */
export async function modelsCommand(ctx: CommandContext): Promise<number> {
  const session = await LakeSession.open(ctx.lake);
  try {
    const dag = await buildDag(session, MODELS);
    const rows = dag.order.map((name) => {
      const n = dag.nodes.get(name)!;
      return {
        model: name,
        grain: n.model.grain,
        partition: n.model.partitionColumn,
        reads: n.reads.join(', '),
        downstream: n.downstream.join(', '),
        checks: n.model.checks.length,
      };
    });
    out(ctx.config.json ? JSON.stringify(rows, null, 2) : renderTable(rows));
    return 0;
  } finally {
    session.close();
  }
}
