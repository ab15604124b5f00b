import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Lake, LakeSession, loadConfig, openLake } from '../../layers/index.js';
import { runDemo } from '../../orchestrator/index.js';
import { simulateMarket } from '../../pipelines/index.js';
import { createTestDatabase } from '../helpers/pg-database.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';

const simulation = {
  seed: 5,
  days: 1,
  tradesPerSymbolDay: 300,
  quotesPerSymbolDay: 100,
  postsPerSymbolDay: 3,
  badRecordRate: 0.01,
};

describe('the demo on an S3 lake (s3rver) with the PostgreSQL catalog and serving', () => {
  let s3: S3Server;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let cache: string;
  let lake: Lake;

  beforeAll(async () => {
    s3 = await startS3Server();
    db = await createTestDatabase('marketlake_s3demo');
    cache = await mkdtemp(join(tmpdir(), 'marketlake-s3demo-cache-'));
    Object.assign(process.env, s3.env);
  });

  afterAll(async () => {
    await lake?.close();
    await s3?.stop();
    await db?.drop();
    await rm(cache, { recursive: true, force: true });
  });

  it('runs end to end, reconciles, and a rerun changes nothing', async () => {
    const config = loadConfig({
      ...s3.env,
      LAKE_URL: `s3://${s3.bucket}/demo`,
      DATABASE_URL: db.url,
      LAKE_CACHE_DIR: cache,
    });
    lake = openLake(config);
    const logger = createLogger({ level: 'silent', json: true });
    const first = await runDemo(config, lake, logger, { simulation });
    expect(first.status).toBe('succeeded');
    expect(first.served?.target).toContain('marketlake_s3demo');
    const market = simulateMarket(simulation);
    const session = await LakeSession.open(lake);
    try {
      const [row] = await session.all<{ silver: string; quarantined: string }>(
        'SELECT (SELECT count(*) FROM silver.trades) AS silver, (SELECT count(*) FROM quarantine.trades) AS quarantined',
      );
      expect(Number(row!.silver) + Number(row!.quarantined)).toBe(market.trades.length);
      const bars = await session.all('SELECT * FROM gold.fact_bars ORDER BY ALL');
      const second = await runDemo(config, lake, logger, { simulation, serve: false });
      expect(second.ingestion.every((b) => b.duplicateBatch)).toBe(true);
      const fresh = await LakeSession.open(lake);
      expect(await fresh.all('SELECT * FROM gold.fact_bars ORDER BY ALL')).toEqual(bars);
      fresh.close();
    } finally {
      session.close();
    }
    // Data files really live in the bucket, not on local disk.
    const objects = await lake.store.list('gold/fact_bars');
    expect(objects.length).toBeGreaterThan(0);
  }, 180_000);
});
