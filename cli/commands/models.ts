import { LakeSession } from '../../layers/duckdb/session.js';
import { MODELS } from '../../models/index.js';
import { buildDag } from '../../orchestrator/dag.js';
import { downstreamOf, upstreamOf } from '../../orchestrator/selectors.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

function strategyOf(s: (typeof MODELS)[number]['incremental']): string {
  return s.kind === 'full_refresh' ? 'full_refresh' : `partitions (-${s.lookbackDays}d/+${s.lookaheadDays}d)`;
}

/**
 * Every model with its grain, key, partitioning, incremental strategy, the tables its SQL reads,
 * and its upstream and downstream models (direct and transitive).
 */
export async function modelsCommand(ctx: CommandContext): Promise<number> {
  // Only DuckDB's parser is needed (the tables each model's SQL reads): an 'analyst' session reads no
  // catalog and defines no view until a statement reads a table, which none does here.
  const session = await LakeSession.open(ctx.lake, { access: 'analyst' });
  try {
    const dag = await buildDag(session, MODELS);
    const rows = dag.order.map((name) => {
      const n = dag.nodes.get(name)!;
      return {
        model: name,
        grain: n.model.grain,
        key: n.model.uniqueKey.join(', '),
        partition: n.model.partitionColumn,
        incremental: strategyOf(n.model.incremental),
        reads: n.reads.join(', '),
        upstream: upstreamOf(dag, name).join(', '),
        downstream: downstreamOf(dag, name).join(', '),
        checks: n.model.checks.length,
      };
    });
    if (ctx.config.json) {
      const detailed = rows.map((r) => {
        const m = dag.nodes.get(r.model)!.model;
        return { ...r, description: m.description, columns: m.columns, step: m.step?.describe() ?? null };
      });
      out(JSON.stringify(detailed, null, 2));
    } else out(renderTable(rows.map(({ grain: _g, ...rest }) => rest)));
    return 0;
  } finally {
    session.close();
  }
}
