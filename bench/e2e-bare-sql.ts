/**
 * The limit of `marketlake run` in bench:e2e, as its own process: the trade path's model SQL
 * (silver.trades → gold.fact_bars → daily market and alerts, dim_date) as `CREATE TABLE` in one
 * DuckDB session over the lake's bronze, no planning, Parquet or catalog. Usage: node e2e-bare-sql.js <lake>
 */
import { LakeSession, openLake } from '../layers/index.js';
import { buildBareModels, TRADE_PATH_SELECTORS } from './support/bare-model-sql.js';

const lake = openLake({ lakeUrl: process.argv[2] as string });
const session = await LakeSession.open(lake);
try {
  await buildBareModels(session, TRADE_PATH_SELECTORS);
} finally {
  session.close();
  await lake.close();
}
