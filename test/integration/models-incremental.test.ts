import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession, tableRef } from '../../layers/index.js';
import { runModels, type TaskResult } from '../../orchestrator/index.js';
import { tempLake } from '../helpers/temp-lake.js';
import { writeBronze } from './models.fixtures.js';

const logger = createLogger({ level: 'silent', json: true });

const trade = (event_at: string, price: number, size: number, trade_id: string) => ({
  symbol: 'TEST',
  event_at,
  price,
  size,
  exchange: 'N',
  trade_id,
  conditions: [],
  tape: 'A',
  source: 'fixture',
});
const day = (d: string, base: number) => [
  trade(`${d}T14:30:05Z`, base, 10, `${d}-1`),
  trade(`${d}T14:31:05Z`, base + 1, 10, `${d}-2`),
  trade(`${d}T15:00:05Z`, base + 0.5, 10, `${d}-3`),
];
const GOLD = [
  'fact_bars',
  'fact_daily_market',
  'fact_alerts',
  'dim_date',
  'fact_daily_sentiment',
  'fact_sentiment_volatility',
];

const byTask = (tasks: TaskResult[]) => Object.fromEntries(tasks.map((t) => [t.task, t]));

async function goldRows(lake: Parameters<typeof LakeSession.open>[0]): Promise<Record<string, unknown[]>> {
  const s = await LakeSession.open(lake);
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of GOLD) out[t] = await s.all(`SELECT * FROM gold.${t} ORDER BY ALL`);
    out.trades = await s.all('SELECT * EXCLUDE (batch_id, ingested_at) FROM silver.trades ORDER BY ALL');
    return out;
  } finally {
    s.close();
  }
}

async function fileKeys(lake: Parameters<typeof LakeSession.open>[0], partition: string): Promise<string[]> {
  const snap = await lake.catalog.snapshot(tableRef('gold', 'fact_bars'));
  return (snap?.files ?? [])
    .filter((f) => f.partition === partition)
    .map((f) => f.key)
    .sort();
}

/** Each step opens a new session, as a scheduled run would. */
async function run(
  lake: Parameters<typeof LakeSession.open>[0],
  options = {},
): Promise<Record<string, TaskResult>> {
  const s = await LakeSession.open(lake);
  try {
    const tasks = await runModels(s, logger, options);
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);
    return byTask(tasks);
  } finally {
    s.close();
  }
}

async function ingest(
  lake: Parameters<typeof LakeSession.open>[0],
  dir: string,
  rows: Record<string, unknown>[],
) {
  const s = await LakeSession.open(lake);
  try {
    await writeBronze(s, dir, 'trades', rows);
  } finally {
    s.close();
  }
}

describe('incremental runs by partition', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;

  beforeAll(async () => {
    env = await tempLake();
    const s = await LakeSession.open(env.lake);
    await writeBronze(s, env.dir, 'symbol_refs', [
      {
        symbol: 'TEST',
        name: 'Testco',
        exchange: 'XNYS',
        asset_class: 'us_equity',
        sector: null,
        industry: null,
        valid_from: '2024-01-01',
      },
    ]);
    await writeBronze(s, env.dir, 'trades', [
      ...day('2024-03-04', 100),
      ...day('2024-03-05', 102),
      ...day('2024-03-06', 101),
    ]);
    s.close();
  });

  afterAll(async () => {
    await env?.cleanup();
  });

  it('builds everything on the first run and nothing on a rerun without new data', async () => {
    const first = await run(env.lake);
    expect(Object.values(first).every((t) => t.action === 'full')).toBe(true);
    const again = await run(env.lake);
    expect(Object.values(again).map((t) => [t.task, t.action])).toEqual(
      Object.keys(again).map((name) => [name, 'up_to_date']),
    );
  }, 60_000);

  it('late data for an old day recomputes that day and its dependents only, and equals a full rebuild', async () => {
    const untouched = await fileKeys(env.lake, '2024-03-06');
    await ingest(env.lake, env.dir, [trade('2024-03-04T15:30:00Z', 110, 5, 'late-1')]);
    const tasks = await run(env.lake);
    expect(tasks['silver.trades']).toMatchObject({ action: 'partitions', partitions: 1 });
    // A New York session reads dt and dt + 1: late dt 03-04 touches sessions 03-03 and 03-04.
    expect(tasks['gold.fact_bars']).toMatchObject({ action: 'partitions', partitions: 2 });
    // Only session 03-04 of fact_bars changed (03-03 stayed empty); the previous close reaches
    // 7 days back, so 03-04 is read by sessions 03-04 .. 03-11.
    expect(tasks['gold.fact_daily_market']).toMatchObject({ action: 'partitions', partitions: 8 });
    expect(tasks['gold.dim_date']?.action).toBe('full');
    expect(tasks['silver.sentiment_posts']?.action).toBe('up_to_date');
    expect(await fileKeys(env.lake, '2024-03-06')).toEqual(untouched);

    const s = await LakeSession.open(env.lake);
    const [bar] = await s.all<{ high: number; volume: number }>(
      "SELECT high, volume FROM gold.fact_bars WHERE interval = '1d' AND session_date = DATE '2024-03-04'",
    );
    s.close();
    expect(bar).toEqual({ high: 110, volume: 35 });

    const incremental = await goldRows(env.lake);
    const full = await run(env.lake, { fullRefresh: true });
    expect(full['gold.fact_bars']?.action).toBe('full');
    expect(await goldRows(env.lake)).toEqual(incremental);
  }, 60_000);

  it('--from/--to limit the partitions; what they leave out stays pending for the next run', async () => {
    await ingest(env.lake, env.dir, [
      trade('2024-03-05T15:30:00Z', 99, 5, 'late-2'),
      trade('2024-03-06T15:30:00Z', 99, 5, 'late-3'),
    ]);
    const limited = await run(env.lake, {
      from: '2024-03-06',
      to: '2024-03-06',
      selectors: ['silver.trades'],
    });
    expect(Object.keys(limited)).toEqual(['silver.trades']);
    expect(limited['silver.trades']).toMatchObject({ action: 'partitions', partitions: 1 });
    const rest = await run(env.lake, { selectors: ['silver.trades+'] });
    expect(rest['silver.trades']).toMatchObject({ action: 'partitions', partitions: 1 });
    expect(rest['gold.fact_bars']).toMatchObject({ action: 'partitions', partitions: 3 });
    expect(rest['silver.symbol_refs']).toBeUndefined();
    const s = await LakeSession.open(env.lake);
    const [n] = await s.all<{ n: string }>(
      "SELECT count(*) AS n FROM silver.trades WHERE trade_id LIKE 'late-%'",
    );
    s.close();
    expect(Number(n!.n)).toBe(3);
  }, 60_000);

  it('--full-refresh with --from/--to rebuilds exactly that range', async () => {
    const tasks = await run(env.lake, {
      fullRefresh: true,
      from: '2024-03-05',
      to: '2024-03-05',
      selectors: ['gold.fact_bars'],
    });
    expect(tasks['gold.fact_bars']).toMatchObject({ action: 'partitions', partitions: 1 });
  }, 60_000);
});
