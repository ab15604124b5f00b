import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeSession, tableRef, writeTable } from '../../layers/index.js';
import { definitionHash, MODELS, modelSql, planBuild, runModel, tablesReadBy } from '../../models/index.js';
import { buildDag } from '../../orchestrator/index.js';
import { tempLake } from '../helpers/temp-lake.js';

const model = MODELS.find((m) => m.ref.name === 'fact_vol_forecast')!;

/**
 * gold.fact_vol_forecast in the DAG, on fixture daily facts: 2 symbols x 400 weekdays of
 * Parkinson volatility, sentiment for one of them. The SQL generates the rows (no files).
 */
describe('gold.fact_vol_forecast', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;

  const market = (days: number) => `
    SELECT s.symbol, 1::BIGINT AS symbol_key,
           CAST(strftime(d, '%Y%m%d') AS INTEGER) AS date_key, CAST(d AS DATE) AS session_date,
           0.01 * (1 + 0.5 * sin(i / 7.0) + 0.3 * ((i * 7919 + length(s.symbol)) % 13) / 13.0) AS parkinson_vol
    FROM (VALUES ('AAA'), ('BBB')) AS s(symbol),
         (SELECT row_number() OVER () AS i, d FROM range(DATE '2022-01-03', DATE '2022-01-03' + INTERVAL ${days} DAY, INTERVAL 1 DAY) AS t(d)
          WHERE dayofweek(d) BETWEEN 1 AND 5) AS days`;
  const sentiment = `
    SELECT symbol, session_date, sin(date_key / 3.0) AS mean_sentiment, (date_key % 17)::BIGINT AS post_count
    FROM (${market(560)}) WHERE symbol = 'AAA'`;

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
    await writeTable(session, tableRef('gold', 'fact_daily_market'), market(560), {
      operation: 'replace',
      partitionColumn: 'session_date',
    });
    await writeTable(session, tableRef('gold', 'fact_daily_sentiment'), sentiment, {
      operation: 'replace',
      partitionColumn: 'session_date',
    });
    for (const name of ['fact_daily_market', 'fact_daily_sentiment', 'fact_vol_forecast'])
      await session.refreshView(tableRef('gold', name));
  }, 60_000);

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('comes after gold.fact_daily_market and gold.fact_daily_sentiment in the DAG', async () => {
    const reads = (await tablesReadBy(session, modelSql(model))).map((r) => `${r.layer}.${r.name}`).sort();
    expect(reads).toEqual(['gold.fact_daily_market', 'gold.fact_daily_sentiment']);
    const dag = await buildDag(session, MODELS);
    const order = dag.order;
    expect(order.indexOf('gold.fact_vol_forecast')).toBeGreaterThan(order.indexOf('gold.fact_daily_market'));
    expect(order.indexOf('gold.fact_vol_forecast')).toBeGreaterThan(
      order.indexOf('gold.fact_daily_sentiment'),
    );
  });

  it('builds rows with finite, positive volatility and passes its checks; a partition rebuild equals the full build', async () => {
    const reads = [tableRef('gold', 'fact_daily_market'), tableRef('gold', 'fact_daily_sentiment')];
    const sql = modelSql(model);
    const { properties } = await planBuild(session, model, sql, reads, { fullRefresh: true });
    expect(properties.definitionHash).toBe(definitionHash(model, sql));
    await runModel(session, model, { mode: 'full', reason: 'test' }, properties);
    await session.refreshView(model.ref);
    const full = await session.all<Record<string, unknown>>(
      'SELECT * EXCLUDE (symbol_key) FROM gold.fact_vol_forecast ORDER BY symbol, session_date',
    );
    expect(full.length).toBe(2 * 400);
    const last = full.filter((r) => String(r.session_date) >= '2023-06-01');
    expect(last.length).toBeGreaterThan(0);
    for (const r of last) {
      for (const c of ['realized_vol', 'forecast_ewma_vol', 'forecast_har_vol']) {
        expect(Number.isFinite(r[c] as number), c).toBe(true);
        expect(r[c] as number, c).toBeGreaterThan(0);
      }
      // Sentiment only for AAA: BBB's sentiment columns are all zero, so no HAR + sentiment fit.
      if (r.symbol === 'AAA') expect(r.forecast_har_sentiment_vol as number).toBeGreaterThan(0);
      else expect(r.forecast_har_sentiment_vol).toBeNull();
    }
    for (const check of model.checks) expect(await session.all(check.sql), check.name).toEqual([]);

    // Rebuild the last 10 days alone (reading 420 days back): identical rows.
    const partitions = full.map((r) => String(r.session_date).slice(0, 10)).filter((d) => d >= '2023-07-01');
    const unique = [...new Set(partitions)].sort();
    await runModel(session, model, { mode: 'partitions', partitions: unique, reason: 'test' }, properties);
    await session.refreshView(model.ref);
    const again = await session.all<Record<string, unknown>>(
      'SELECT * EXCLUDE (symbol_key) FROM gold.fact_vol_forecast ORDER BY symbol, session_date',
    );
    expect(again).toEqual(full);
  }, 60_000);
});
