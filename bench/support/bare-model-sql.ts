import { ident, type LakeSession } from '../../layers/index.js';
import { MODELS, modelSql, setInputRange } from '../../models/index.js';
import { buildDag, selectModels } from '../../orchestrator/index.js';

/** The trade path: silver.trades → fact_bars → daily market and alerts (no JavaScript scoring step). */
export const TRADE_PATH_SELECTORS = ['+gold.fact_alerts', '+gold.fact_daily_market', 'gold.dim_date'];

/**
 * A limit for the model runs: each selected model's SQL as `CREATE TABLE` in this one session over
 * the lake's bronze (no planning, Parquet or catalog). Returns the milliseconds of the builds alone.
 */
export async function buildBareModels(session: LakeSession, selectors: string[]): Promise<number> {
  const dag = await buildDag(session, MODELS);
  const picked = selectModels(dag, selectors);
  await setInputRange(session, '0001-01-01', '9999-12-31');
  const selected = dag.order.filter((n) => picked.has(n)).map((n) => dag.nodes.get(n)!.model);
  const target = (m: (typeof selected)[number]) => `${ident(m.ref.layer)}.${ident(m.ref.name)}`;
  // This session's views of marketlake's own builds give way to the bare tables.
  for (const m of selected) await session.connection.run(`DROP VIEW IF EXISTS ${target(m)}`);
  const started = performance.now();
  for (const m of selected)
    await session.connection.run(`CREATE OR REPLACE TABLE ${target(m)} AS ${modelSql(m)}`);
  return performance.now() - started;
}
