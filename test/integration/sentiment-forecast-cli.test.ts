import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeSession, openLake } from '../../layers/index.js';
import {
  configureSentimentScoring,
  MODELS,
  modelSql,
  planBuild,
  runModel,
  sentimentScoring,
} from '../../models/index.js';
import { loadProjectConfig } from '../../orchestrator/project-config.js';
import { marketlake } from '../helpers/cli.js';
import { writeBronze } from './models.fixtures.js';

/** `marketlake sentiment train|list` and `marketlake forecast backtest` on small real data. */
describe('sentiment and forecast commands', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marketlake-sentiment-'));
  });
  afterAll(async () => {
    configureSentimentScoring(undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('sentiment train stores a versioned model; forecast backtest writes a report with the DM verdict', async () => {
    const lake = join(dir, 'lake');
    const train = marketlake([
      '--lake',
      lake,
      '--json',
      'sentiment',
      'train',
      '--sample-percent',
      '30',
      '--epochs',
      '3',
    ]);
    expect(train.code, train.stderr).toBe(0);
    const trained = JSON.parse(train.stdout) as {
      version: string;
      key: string;
      evaluations: { evaluation: string; finance: { macroF1: number }; vader: { macroF1: number } }[];
    };
    expect(trained.version).toMatch(/^lr-[0-9a-f]{12}$/);
    expect(trained.key).toBe(`_ml/sentiment/${trained.version}/model.json`);
    const stored = JSON.parse(await readFile(join(lake, trained.key), 'utf8'));
    expect(stored.trainingData).toHaveLength(4);
    expect(stored.codeVersion).toMatch(/^marketlake /);
    expect(stored.evaluations ?? stored.metrics).toHaveLength(4);

    const list = marketlake(['--lake', lake, 'sentiment', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(trained.version);

    const out = join(dir, 'report');
    const backtest = marketlake(['--lake', lake, 'forecast', 'backtest', '--max-symbols', '2', '--out', out]);
    expect(backtest.code, backtest.stderr).toBe(0);
    expect(backtest.stdout).toContain('headline: HAR-RV + sentiment vs HAR-RV (same sample)');
    expect(backtest.stdout).toContain('HAR-RV + sentiment vs HAR-RV:');
    const md = await readFile(join(out, 'forecast-backtest.md'), 'utf8');
    expect(md).toContain('## StockNet');
    expect(md).toContain('## AlgoSeek daily bars');
    expect(md).toMatch(/DM = -?\d/);
    expect(md).toContain('| HAR-RV (same sample) |');
    expect(md).toContain('**Did sentiment help?** HAR-RV + sentiment vs HAR-RV (same sample)');
    expect(await readFile(join(out, 'forecast-backtest.html'), 'utf8')).toContain('<svg');
    expect(await readFile(join(out, 'forecast-backtest-1.svg'), 'utf8')).toContain('<polyline');
  }, 120_000);

  it('silver.sentiment_scores scores each source with the scorer marketlake.yaml chooses and records it', async () => {
    const file = join(dir, 'marketlake.yaml');
    await writeFile(file, 'sentiment:\n  default: vader\n  sources:\n    stocktwits: finance\n');
    loadProjectConfig(file);
    expect(sentimentScoring().sources).toEqual({ stocktwits: 'finance' });
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'sentiment:\n  default: bert\n');
    expect(() => loadProjectConfig(bad)).toThrow(/sentiment.default/);

    const lake = openLake({ lakeUrl: join(dir, 'lake') });
    const session = await LakeSession.open(lake);
    try {
      const post = (source: string, id: string, body: string) => ({
        post_id: id,
        source,
        created_at: '2024-03-04T15:00:00Z',
        title: null,
        body,
        score: 1,
      });
      await writeBronze(session, dir, 'sentiment_posts', [
        post('stocktwits', '1', '$TSLA to the moon 🚀🚀 buying more'),
        post('reddit', '2', 'Great earnings, stock is up'),
      ]);
      const model = MODELS.find((m) => m.ref.name === 'sentiment_scores')!;
      const sql = modelSql(model);
      const { properties } = await planBuild(session, model, sql, [], { fullRefresh: true });
      await runModel(session, model, { mode: 'full', reason: 'test' }, properties);
      await session.refreshView(model.ref);
      const rows = await session.all<{
        source: string;
        scorer_name: string;
        scorer_version: string;
        sentiment_score: number;
      }>(
        'SELECT source, scorer_name, scorer_version, sentiment_score FROM silver.sentiment_scores ORDER BY source',
      );
      expect(rows.map((r) => [r.source, r.scorer_name])).toEqual([
        ['reddit', 'vader-sentiment'],
        ['stocktwits', 'marketlake-finance-logreg'],
      ]);
      expect(rows[1]!.scorer_version).toMatch(/^lr-[0-9a-f]{12}$/);
      expect(rows[1]!.sentiment_score).toBeGreaterThan(0);
      expect(model.step!.describe()).toContain('stocktwits: finance classifier latest');
    } finally {
      session.close();
      await lake.close();
    }
  }, 60_000);
});
