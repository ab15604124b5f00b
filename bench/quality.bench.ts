import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, type Lake, LakeSession, openLake } from '../layers/index.js';
import { MODELS } from '../models/index.js';
import { runModels, runQuality } from '../orchestrator/index.js';
import { fromValues, simulateMarket, writeBronzeBatch } from '../pipelines/index.js';
import type { CheckTarget } from '../quality/index.js';
import { type BenchResult, printResults } from './report.js';

const logger = createLogger({ level: 'silent', json: true });

async function ingest(
  lake: Lake,
  dataset: 'trades' | 'quotes' | 'symbol_refs',
  values: unknown[],
  source: string,
) {
  const session = await LakeSession.open(lake);
  try {
    await writeBronzeBatch(session, dataset, fromValues(values), { source, force: true });
  } finally {
    session.close();
  }
}

async function timed<T>(lake: Lake, work: (session: LakeSession) => Promise<T>): Promise<number> {
  const session = await LakeSession.open(lake);
  try {
    const started = performance.now();
    await work(session);
    return performance.now() - started;
  } finally {
    session.close();
  }
}

/**
 * Every silver and gold model's checks on a simulated lake (10 symbols × `days` sessions) against
 * the run that built those models (the limit: 25% of it). The checks run as `dq` runs them: shared
 * scans per table, results stored in the catalog, report rendered and saved. Beside it, the same
 * checks with one scan per check, to show what sharing saves.
 */
export async function benchQuality(tradesPerSymbolDay: number, days = 5): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-quality-'));
  const lake = openLake({ lakeUrl: join(dir, 'lake') });
  try {
    const options = { quotesPerSymbolDay: 2_000, postsPerSymbolDay: 5, badRecordRate: 0 };
    const { tradingDays, symbolRefs } = simulateMarket({ ...options, days, tradesPerSymbolDay: 1 });
    await ingest(lake, 'symbol_refs', symbolRefs, 'bench-refs');
    let trades = 0;
    for (let i = 0; i < days; i++) {
      const day = simulateMarket({
        ...options,
        seed: 7 + i,
        startDate: tradingDays[i]!,
        days: 1,
        tradesPerSymbolDay,
      });
      trades += day.trades.length;
      await ingest(lake, 'trades', day.trades, `bench-day-${i}`);
      await ingest(lake, 'quotes', day.quotes, `bench-quotes-${i}`);
    }
    const build = await timed(lake, async (session) => {
      const tasks = await runModels(session, logger, { fullRefresh: true });
      const failed = tasks.filter((t) => t.status !== 'succeeded');
      if (failed.length) throw new Error(`bench: ${failed.map((t) => `${t.task}: ${t.error}`).join('; ')}`);
    });
    let checks = 0;
    let failedChecks = 0;
    const oneScanEach: CheckTarget[] = MODELS.map((m) => ({
      ...m,
      checks: m.checks.map(({ failWhen: _shared, ...c }) => c),
    }));
    const sharedRun = (runId: string) =>
      timed(lake, async (session) => {
        const { report } = await runQuality(session, runId, { targets: MODELS });
        checks = report.summary.checks;
        failedChecks = report.summary.failed;
      });
    const separateRun = (runId: string) =>
      timed(lake, (session) => runQuality(session, runId, { targets: oneScanEach }));
    // Alternate, so neither gains from a cache the other warmed; the faster of two each.
    const separate1 = await separateRun('bench_separate_1');
    const shared1 = await sharedRun('bench_shared_1');
    const separate2 = await separateRun('bench_separate_2');
    const shared2 = await sharedRun('bench_shared_2');
    const shared = Math.min(shared1, shared2);
    const separate = Math.min(separate1, separate2);
    const n = (x: number) => x.toLocaleString('en-US');
    return [
      {
        name: `data-quality checks of every silver and gold model (${checks} checks, ${failedChecks} failed) on ${n(trades)} trades (${days} sessions × 10 symbols)`,
        unit: 'ms',
        value: shared,
        lowerIsBetter: true,
        limit: build * 0.25,
        limitName: `25% of the full build of those models (${n(Math.round(build))} ms)`,
        note: `the same checks with one scan per check: ${n(Math.round(separate))} ms`,
      },
    ];
  } finally {
    await lake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `npx tsx bench/quality.bench.ts`: alone, sized by BENCH_QUALITY_TRADES_PER_SYMBOL_DAY (default 200,000 = 10M trades). */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printResults(await benchQuality(Number(process.env.BENCH_QUALITY_TRADES_PER_SYMBOL_DAY ?? 200_000)));
  process.stdout.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
}
