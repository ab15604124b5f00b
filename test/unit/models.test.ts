import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeSession, sqlDir } from '../../layers/index.js';
import {
  addDays,
  changedPartitions,
  datesBetween,
  isPartitionDate,
  MODELS,
  modelName,
  toRanges,
} from '../../models/index.js';
import {
  buildDag,
  type Dag,
  downstreamOf,
  SERVED_TABLES,
  selectModels,
  upstreamOf,
} from '../../orchestrator/index.js';
import { tempLake } from '../helpers/temp-lake.js';

describe('model registry and SQL files', () => {
  const files = (layer: string) =>
    readdirSync(join(sqlDir(), layer))
      .filter((f) => f.endsWith('.sql'))
      .map((f) => `${layer}.${f.replace(/\.sql$/, '')}`);

  it('every model has its SQL file and every SQL file has a model', () => {
    expect([...files('silver'), ...files('gold')].sort()).toEqual(MODELS.map(modelName).sort());
  });

  it('every SQL file states purpose, grain, key, partition and parameters in its header', () => {
    for (const m of MODELS) {
      const header = readFileSync(join(sqlDir(), m.ref.layer, `${m.ref.name}.sql`), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('--'))
        .join('\n');
      expect(header, modelName(m)).toMatch(new RegExp(`^-- ${modelName(m).replace('.', '\\.')}: `));
      expect(header, modelName(m)).toMatch(/Grain: one row per/);
      expect(header, modelName(m)).toMatch(/Key: /);
      if (m.partitionColumn) {
        expect(header, modelName(m)).toMatch(new RegExp(`Partition: ${m.partitionColumn}`));
        expect(header, modelName(m)).toMatch(/Parameters: input_from, input_to/);
      }
    }
  });

  it('every served gold model has serving DDL with a primary key', () => {
    for (const table of SERVED_TABLES) {
      const ddl = readFileSync(join(sqlDir(), 'serving', `${table}.sql`), 'utf8');
      expect(ddl, table).toMatch(new RegExp(`CREATE TABLE IF NOT EXISTS gold\\.${table} \\(`));
      expect(ddl, table).toMatch(/PRIMARY KEY/);
    }
  });

  it('partitioned models read their partitioned inputs through the input range', () => {
    for (const m of MODELS.filter((x) => x.incremental.kind === 'partitions')) {
      const sql = readFileSync(join(sqlDir(), m.ref.layer, `${m.ref.name}.sql`), 'utf8');
      expect(sql, modelName(m)).toContain("getvariable('input_from') and getvariable('input_to')");
    }
  });
});

describe('the DAG from the SQL, and selectors', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;
  let dag: Dag;

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
    dag = await buildDag(session, MODELS);
  });

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('derives dependencies from each SQL file', () => {
    expect(dag.nodes.get('gold.fact_daily_market')?.reads).toEqual(['gold.dim_symbol', 'gold.fact_bars']);
    expect(dag.nodes.get('silver.sentiment_posts')?.upstream).toEqual([
      'gold.dim_symbol',
      'silver.sentiment_scores',
    ]);
    const pos = (n: string) => dag.order.indexOf(n);
    expect(pos('silver.trades')).toBeLessThan(pos('gold.fact_bars'));
    expect(pos('gold.fact_daily_market')).toBeLessThan(pos('gold.fact_sentiment_volatility'));
  });

  it('model, +model and model+ select the model, its upstream, its downstream', () => {
    expect([...selectModels(dag, ['gold.fact_bars'])]).toEqual(['gold.fact_bars']);
    expect([...selectModels(dag, ['+gold.fact_daily_market'])].sort()).toEqual([
      'gold.dim_symbol',
      'gold.fact_bars',
      'gold.fact_daily_market',
      'silver.bars',
      'silver.corporate_actions',
      'silver.sale_condition_codes',
      'silver.sale_conditions',
      'silver.symbol_refs',
      'silver.trades',
    ]);
    expect([...selectModels(dag, ['gold.fact_bars+'])].sort()).toEqual([
      'gold.fact_alerts',
      'gold.fact_bars',
      'gold.fact_daily_market',
      'gold.fact_sentiment_volatility',
      'gold.fact_vol_forecast',
    ]);
    expect(selectModels(dag, ['silver.quotes,gold.dim_date']).size).toBe(2);
    expect(() => selectModels(dag, ['gold.nope+'])).toThrow(/no model named gold\.nope/);
    expect(upstreamOf(dag, 'gold.fact_alerts')).toContain('silver.trades');
    expect(downstreamOf(dag, 'silver.sentiment_scores')).toEqual([
      'silver.sentiment_posts',
      'gold.fact_daily_sentiment',
      'gold.fact_sentiment_volatility',
      'gold.fact_vol_forecast',
    ]);
  });
});

describe('partition dates and change detection', () => {
  it('dates, ranges and validation', () => {
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(datesBetween('2024-12-30', '2025-01-02')).toEqual([
      '2024-12-30',
      '2024-12-31',
      '2025-01-01',
      '2025-01-02',
    ]);
    expect(toRanges(['2024-03-05', '2024-03-01', '2024-03-04', '2024-03-04'])).toEqual([
      { from: '2024-03-01', to: '2024-03-01' },
      { from: '2024-03-04', to: '2024-03-05' },
    ]);
    expect(isPartitionDate('2024-02-30')).toBe(false);
    expect(isPartitionDate('2024-02-29')).toBe(true);
  });

  it('a partition changed when its file list differs', () => {
    const snap = (files: [string, string][]) =>
      ({ files: files.map(([partition, key]) => ({ key, partition, rows: 1, bytes: 1 })) }) as never;
    const before = snap([
      ['2024-03-01', 'a'],
      ['2024-03-02', 'b'],
      ['2024-03-03', 'c'],
    ]);
    const after = snap([
      ['2024-03-01', 'a'],
      ['2024-03-02', 'b2'],
      ['2024-03-04', 'd'],
    ]);
    expect(changedPartitions(before, after)).toEqual(['2024-03-02', '2024-03-03', '2024-03-04']);
    expect(changedPartitions(undefined, before)).toEqual(['2024-03-01', '2024-03-02', '2024-03-03']);
  });
});
