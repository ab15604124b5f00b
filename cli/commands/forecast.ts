import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORTS_PREFIX, UsageError } from '../../layers/index.js';
import {
  type BacktestResult,
  type BacktestSeries,
  loadAlgoSeekDaily,
  loadFinanceModel,
  loadStockNet,
  renderBacktestHtml,
  renderBacktestMarkdown,
  renderChartSvg,
  runBacktest,
  sentimentScore,
  verdict,
} from '../../models/index.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

export interface BacktestFlags {
  stocknet: string;
  algoseek: string;
  datasets: string;
  scorer: string;
  modelVersion: string;
  maxSymbols?: number;
  out?: string;
}

const DATASETS = ['stocknet', 'algoseek'] as const;

function limit(series: BacktestSeries[], max: number | undefined): BacktestSeries[] {
  return max === undefined ? series : series.slice(0, max);
}

/**
 * `marketlake forecast backtest`: out-of-sample QLIKE and RMSE of EWMA, HAR-RV, HAR-RV fitted on
 * the sentiment model's rows and HAR-RV + sentiment against a random walk on StockNet (prices + tweets scored by the chosen scorer) and
 * AlgoSeek daily bars, with Diebold-Mariano tests; the report (Markdown, HTML, SVG chart) goes to
 * `<lake>/_reports/` and to `--out` when given.
 */
export async function forecastBacktestCommand(ctx: CommandContext, flags: BacktestFlags): Promise<number> {
  const wanted = flags.datasets.split(',').map((d) => d.trim());
  const bad = wanted.find((d) => !(DATASETS as readonly string[]).includes(d));
  if (bad) throw new UsageError(`--datasets: unknown ${bad} (use ${DATASETS.join(', ')})`);
  if (!['finance', 'vader'].includes(flags.scorer)) throw new UsageError('--scorer must be finance or vader');
  const results: BacktestResult[] = [];
  let scorerName = '';
  if (wanted.includes('stocknet')) {
    if (!existsSync(flags.stocknet)) throw new UsageError(`StockNet folder not found: ${flags.stocknet}`);
    let score = sentimentScore;
    scorerName = 'VADER';
    if (flags.scorer === 'finance') {
      const model = await loadFinanceModel(ctx.lake.store, flags.modelVersion);
      score = (t: string) => model.score(t);
      scorerName = `finance classifier ${model.version}`;
    }
    const series = limit(loadStockNet(flags.stocknet, score), flags.maxSymbols);
    results.push(
      runBacktest(`StockNet (tweets scored by ${scorerName})`, series, {
        from: '2014-01-01',
        to: '2015-06-30',
        chartSymbol: 'AAPL',
      }),
    );
  }
  if (wanted.includes('algoseek')) {
    if (!existsSync(flags.algoseek)) throw new UsageError(`AlgoSeek daily bars not found: ${flags.algoseek}`);
    results.push(
      runBacktest('AlgoSeek daily bars', limit(loadAlgoSeekDaily(flags.algoseek), flags.maxSymbols), {
        chartSymbol: 'SPY',
      }),
    );
  }
  const charts = results.map((_, i) => `forecast-backtest-${i + 1}.svg`);
  const markdown = renderBacktestMarkdown(results, charts);
  const html = renderBacktestHtml(results);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const keys = [
    `${REPORTS_PREFIX}/forecast-backtest-${stamp}.md`,
    `${REPORTS_PREFIX}/forecast-backtest-${stamp}.html`,
  ];
  await ctx.lake.store.writeText(keys[0]!, markdown);
  await ctx.lake.store.writeText(keys[1]!, html);
  await ctx.lake.store.writeText(`${REPORTS_PREFIX}/forecast-backtest-latest.md`, markdown);
  await ctx.lake.store.writeText(`${REPORTS_PREFIX}/forecast-backtest-latest.html`, html);
  for (const [i, r] of results.entries())
    await ctx.lake.store.writeText(`${REPORTS_PREFIX}/${charts[i]}`, renderChartSvg(r));
  if (flags.out) {
    mkdirSync(flags.out, { recursive: true });
    writeFileSync(join(flags.out, 'forecast-backtest.md'), markdown);
    writeFileSync(join(flags.out, 'forecast-backtest.html'), html);
    for (const [i, r] of results.entries()) writeFileSync(join(flags.out, charts[i]!), renderChartSvg(r));
  }
  if (ctx.config.json) {
    out(
      JSON.stringify(
        results.map((r) => ({
          dataset: r.dataset,
          n: r.n,
          from: r.from,
          to: r.to,
          pooled: r.pooled,
          headline: r.headline,
          comparisons: r.comparisons,
        })),
        null,
        2,
      ),
    );
  } else {
    for (const r of results) {
      out(`${r.dataset}: ${r.n} forecasts, ${r.symbols.length} symbols, ${r.from} to ${r.to}`);
      out(
        renderTable(
          r.models.map((m) => ({
            model: m,
            QLIKE: r.pooled[m]!.qlike.toFixed(4),
            'RMSE (daily vol)': r.pooled[m]!.rmse.toFixed(5),
            'fitted rows': r.pooled[m]!.fitObs?.toFixed(1) ?? '',
          })),
        ),
      );
      for (const c of r.comparisons) out(`  ${c === r.headline ? 'headline: ' : ''}${verdict(c)}`);
    }
    out(`report: ${keys.join(', ')}${flags.out ? ` and ${flags.out}` : ''}`);
  }
  return 0;
}
