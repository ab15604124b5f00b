/**
 * The limit of `marketlake run` in bench:e2e, as its own process: the trade path's model SQL
 * (silver.trades → gold.fact_bars → daily market and alerts, dim_date) as `CREATE TABLE` in one
 * DuckDB session over the lake's bronze, no planning, Parquet or catalog. Usage: node e2e-bare-sql.js <lake>
 */
import { ident, LakeSession, openLake } from '../layers/index.js';
import { MODELS, modelSql, setInputRange } from '../models/index.js';
import { buildDag, selectModels } from '../orchestrator/index.js';

const SELECTORS = ['+gold.fact_alerts', '+gold.fact_daily_market', 'gold.dim_date'];
const lake = openLake({ lakeUrl: process.argv[2] as string });
const session = await LakeSession.open(lake);
try {
  const dag = await buildDag(session, MODELS);
  const picked = selectModels(dag, SELECTORS);
  await setInputRange(session, '0001-01-01', '9999-12-31');
  const selected = dag.order.filter((n) => picked.has(n)).map((n) => dag.nodes.get(n)!.model);
  const target = (m: (typeof selected)[number]) => `${ident(m.ref.layer)}.${ident(m.ref.name)}`;
  // This in-memory session's views of marketlake's own builds give way to the bare tables.
  for (const m of selected) await session.connection.run(`DROP VIEW IF EXISTS ${target(m)}`);
  for (const m of selected)
    await session.connection.run(`CREATE OR REPLACE TABLE ${target(m)} AS ${modelSql(m)}`);
} finally {
  session.close();
  await lake.close();
}
