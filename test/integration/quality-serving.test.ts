import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession, loadConfig, tableRef, writeTable } from '../../layers/index.js';
import { runModels, runQuality, serve } from '../../orchestrator/index.js';
import { loadProjectConfig } from '../../orchestrator/project-config.js';
import { executeTask, QualityCheckError } from '../../orchestrator/task-executor.js';
import { fromValues, simulateMarket, writeBronzeBatch } from '../../pipelines/index.js';
import { createTestDatabase } from '../helpers/pg-database.js';
import { tempLake } from '../helpers/temp-lake.js';

const logger = createLogger({ level: 'silent', json: true });

/**
 * A failed error-severity check stops serving (issue #16): the pipeline's quality task reports the
 * blocked tables, the serve task keeps them (and everything downstream) at their served version,
 * serves the rest, and fails the run with the reason.
 */
describe('a failing check blocks serving of its table and everything downstream', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let session: LakeSession;

  beforeAll(async () => {
    env = await tempLake('marketlake-quality-serving-');
    db = await createTestDatabase('ml_quality_serving');
    session = await LakeSession.open(env.lake);
    const market = simulateMarket({
      seed: 5,
      days: 1,
      tradesPerSymbolDay: 300,
      quotesPerSymbolDay: 20,
      postsPerSymbolDay: 2,
      badRecordRate: 0,
    });
    for (const [dataset, values] of [
      ['symbol_refs', market.symbolRefs],
      ['trades', market.trades],
      ['quotes', market.quotes],
      ['sentiment_posts', market.posts],
    ] as const)
      await writeBronzeBatch(session, dataset, fromValues(values as unknown[]), { source: 'simulator' });
    const built = await runModels(session, logger);
    expect(built.filter((t) => t.status !== 'succeeded')).toEqual([]);
  }, 180_000);

  afterAll(async () => {
    session?.close();
    await db?.drop();
    await env?.cleanup();
  });

  const served = async (table: string) => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return Number((await client.query(`SELECT count(*) AS n FROM gold.${table}`)).rows[0].n);
    } finally {
      await client.end();
    }
  };

  it('serves everything on clean data, then holds back the failed table and its downstream', async () => {
    const config = loadConfig({ LAKE_URL: env.dir, DATABASE_URL: db.url });
    const clean = await runQuality(session, 'run_clean');
    expect(clean.report.summary.failed).toBe(0);
    expect(clean.blocked).toEqual({});
    await serve(session, config, env.lake, { skip: clean.blocked });
    const dailyRows = await served('fact_daily_market');
    const barRows = await served('fact_bars');
    expect(dailyRows).toBeGreaterThan(0);

    // A duplicate daily row breaks gold.fact_daily_market's unique key (error severity).
    const daily = tableRef('gold', 'fact_daily_market');
    await writeTable(session, daily, 'SELECT * FROM gold.fact_daily_market LIMIT 1', {
      operation: 'append',
      partitionColumn: session.snapshotOf(daily)!.partitionColumn,
    });
    const ctx = { config, lake: env.lake, logger, project: loadProjectConfig() };
    const runId = 'run_defect';
    await runQuality(session, runId); // what the model tasks store for the run
    const quality = await executeTask(
      ctx,
      { id: 'quality', kind: 'quality', dependsOn: [] },
      { pipeline: 'daily' },
      runId,
    );
    const blocked = quality.detail?.blocked as string[];
    expect(blocked).toContain('fact_daily_market');
    expect(blocked).not.toContain('fact_bars'); // upstream of the failure: still served
    expect(blocked).not.toContain('dim_date');

    const serving = executeTask(
      ctx,
      { id: 'serve', kind: 'serve', dependsOn: [] },
      { pipeline: 'daily' },
      runId,
    );
    await expect(serving).rejects.toBeInstanceOf(QualityCheckError);
    await expect(serving).rejects.toThrow(
      /not served \(kept at their served version\): .*gold\.fact_daily_market \(error check gold\.fact_daily_market unique_/,
    );
    // BI users still see the rows that passed their checks, not the duplicate.
    expect(await served('fact_daily_market')).toBe(dailyRows);
    expect(await served('fact_bars')).toBe(barRows);
    // The stored report of the run says what was held back and why.
    const stored = await env.lake.checks.ofRun(runId);
    expect(
      stored.find(
        (r) => r.check.startsWith('unique_') && r.model === 'gold.fact_daily_market' && r.partition === '*',
      ),
    ).toMatchObject({
      status: 'fail',
      severity: 'error',
      failingRows: 1,
    });
  }, 180_000);
});
