import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, type Lake, LakeSession, openLake } from '../layers/index.js';
import { runModels } from '../orchestrator/index.js';
import { fromValues, simulateMarket, writeBronzeBatch } from '../pipelines/index.js';
import { type BenchResult, printResults } from './report.js';
import { buildBareModels, TRADE_PATH_SELECTORS } from './support/bare-model-sql.js';

const SELECTORS = TRADE_PATH_SELECTORS;
const logger = createLogger({ level: 'silent', json: true });

async function ingest(lake: Lake, dataset: 'trades' | 'symbol_refs', values: unknown[], source: string) {
  const session = await LakeSession.open(lake);
  try {
    await writeBronzeBatch(session, dataset, fromValues(values), { source, force: true });
  } finally {
    session.close();
  }
}

/** The limit: each selected model's SQL as `CREATE TABLE` in one DuckDB session over the same bronze files. */
async function bareSql(lake: Lake): Promise<number> {
  const session = await LakeSession.open(lake);
  try {
    return await buildBareModels(session, SELECTORS);
  } finally {
    session.close();
  }
}

async function marketlake(lake: Lake, fullRefresh: boolean): Promise<number> {
  const session = await LakeSession.open(lake);
  try {
    const started = performance.now();
    const tasks = await runModels(session, logger, { selectors: SELECTORS, fullRefresh });
    const failed = tasks.filter((t) => t.status !== 'succeeded');
    if (failed.length) throw new Error(`bench: ${failed.map((t) => `${t.task}: ${t.error}`).join('; ')}`);
    return performance.now() - started;
  } finally {
    session.close();
  }
}

/**
 * Silver and gold on simulated trades (10 symbols × `days` sessions): marketlake's run (planning,
 * Parquet, catalog commits) against the same SQL run bare in one DuckDB session on the same bronze
 * files (the limit; the faster of a run before and one after ours). Then one more day arrives: the
 * incremental run against the full rebuild scaled to that day's share of the trades.
 */
export async function benchTransform(tradesPerSymbolDay: number, days = 5): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-transform-'));
  const lake = openLake({ lakeUrl: join(dir, 'lake') });
  try {
    // One simulated day at a time, one bronze batch per day: 10M trades never sit in memory at once.
    const options = { quotesPerSymbolDay: 10, postsPerSymbolDay: 1, badRecordRate: 0 };
    const { tradingDays, symbolRefs } = simulateMarket({ ...options, days: days + 1, tradesPerSymbolDay: 1 });
    await ingest(lake, 'symbol_refs', symbolRefs, 'bench-refs');
    const simulateDay = (i: number) =>
      simulateMarket({ ...options, seed: 42 + i, startDate: tradingDays[i]!, days: 1, tradesPerSymbolDay })
        .trades;
    let earlyCount = 0;
    for (let i = 0; i < days; i++) {
      const trades = simulateDay(i);
      earlyCount += trades.length;
      await ingest(lake, 'trades', trades, `bench-day-${i}`);
    }

    const bare1 = await bareSql(lake);
    const ours = await marketlake(lake, true);
    const bare2 = await bareSql(lake);
    const limit = Math.min(bare1, bare2);

    const late = simulateDay(days);
    const lateCount = late.length;
    await ingest(lake, 'trades', late, 'bench-late');
    late.length = 0;
    const incremental = await marketlake(lake, false);
    const full = await marketlake(lake, true);
    const share = lateCount / (earlyCount + lateCount);
    const n = (x: number) => x.toLocaleString('en-US');
    return [
      {
        name: `transform silver+gold trade path, ${n(earlyCount)} trades (${days} sessions × 10 symbols), full build`,
        unit: 'ms',
        value: ours,
        limit,
        limitName: 'same SQL as CREATE TABLE in one DuckDB session',
        note: 'target ratio <= 1.3; marketlake also writes Parquet, commits snapshots and plans from the catalog',
      },
      {
        name: `incremental run after one new day (${n(lateCount)} trades, ${(share * 100).toFixed(0)}% of the table)`,
        unit: 'ms',
        value: incremental,
        limit: full * share,
        limitName: `full rebuild (${n(Math.round(full))} ms) × the day's share of trades`,
        note: 'proportional to the day when the ratio stays near 1 as days grow; windows (7-day previous close) add their days',
      },
    ];
  } finally {
    await lake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `npx tsx bench/transform.bench.ts`: the transform benchmark alone, sized by
 * BENCH_TRANSFORM_TRADES_PER_SYMBOL_DAY (default 200,000: 10 symbols × 5 days = 10M trades, the
 * issue's size) and BENCH_TRANSFORM_DAYS (default 5).
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const perSymbolDay = Number(process.env.BENCH_TRANSFORM_TRADES_PER_SYMBOL_DAY ?? 200_000);
  const days = Number(process.env.BENCH_TRANSFORM_DAYS ?? 5);
  printResults(await benchTransform(perSymbolDay, days));
  process.stdout.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
}
