import type { BacktestSeries } from './backtest-data.js';
import { type DieboldMariano, dieboldMariano, qlike } from './evaluation.js';
import { FORECAST_SETTINGS, type ForecastSettings, forecastVolatility } from './forecaster.js';

export const FORECAST_MODELS = ['random_walk', 'ewma', 'har', 'har_same_sample', 'har_sentiment'] as const;
export type ForecastModel = (typeof FORECAST_MODELS)[number];

export interface ModelScore {
  qlike: number;
  rmse: number;
  /** Mean number of (x, next-day RV) rows the regression was fitted on (regressions only). */
  fitObs?: number;
}

/** The regression models and the fitted-rows count each reports. */
const FIT_OBS: Partial<Record<ForecastModel, 'harObs' | 'harSameSampleObs' | 'harSentimentObs'>> = {
  har: 'harObs',
  har_same_sample: 'harSameSampleObs',
  har_sentiment: 'harSentimentObs',
};

export interface SymbolScore {
  symbol: string;
  n: number;
  scores: Partial<Record<ForecastModel, ModelScore>>;
}

export interface Comparison {
  /** A is the benchmark, B the challenger: positive mean difference = B better. */
  a: ForecastModel;
  b: ForecastModel;
  /** DM on the daily cross-sectional mean of the QLIKE differences (one series for the panel). */
  panel: DieboldMariano;
  /** Symbols where B beat / lost to A at the 5% level (two-sided DM per symbol). */
  symbolsBetter: number;
  symbolsWorse: number;
  symbols: number;
}

export interface ChartPoint {
  date: string;
  realized: number;
  forecasts: Partial<Record<ForecastModel, number>>;
}

export interface BacktestResult {
  dataset: string;
  models: ForecastModel[];
  settings: ForecastSettings;
  from: string;
  to: string;
  /** (origin, next session) pairs scored, all models on the same pairs. */
  n: number;
  /** Daily bars left out as bad prints. */
  droppedBars: number;
  pooled: Partial<Record<ForecastModel, ModelScore>>;
  symbols: SymbolScore[];
  /**
   * The test of the sentiment regressors: HAR-RV + sentiment against HAR-RV fitted on the same
   * rows (so sample length cannot explain the difference); null without sentiment. Also the first
   * entry of `comparisons`.
   */
  headline: Comparison | null;
  comparisons: Comparison[];
  chart: { symbol: string; points: ChartPoint[] };
}

interface Pair {
  symbol: string;
  date: string;
  realized: number;
  forecasts: Record<string, number>;
  /** Rows each regression was fitted on at this origin. */
  fitObs: Record<string, number>;
}

function score(pairs: readonly Pair[], model: ForecastModel): ModelScore {
  let q = 0;
  let se = 0;
  for (const p of pairs) {
    q += qlike(p.realized, p.forecasts[model]!);
    se += (Math.sqrt(p.realized) - Math.sqrt(p.forecasts[model]!)) ** 2;
  }
  const result: ModelScore = { qlike: q / pairs.length, rmse: Math.sqrt(se / pairs.length) };
  if (FIT_OBS[model]) result.fitObs = pairs.reduce((s, p) => s + p.fitObs[model]!, 0) / pairs.length;
  return result;
}

/** Newey-West (1994) automatic lag: floor(4 (n / 100)^(2/9)). */
const neweyWestLags = (n: number) => Math.floor(4 * (n / 100) ** (2 / 9));

function compare(pairs: readonly Pair[], a: ForecastModel, b: ForecastModel, symbols: string[]): Comparison {
  const byDate = new Map<string, { sum: number; n: number }>();
  for (const p of pairs) {
    const d = qlike(p.realized, p.forecasts[a]!) - qlike(p.realized, p.forecasts[b]!);
    const e = byDate.get(p.date) ?? { sum: 0, n: 0 };
    e.sum += d;
    e.n += 1;
    byDate.set(p.date, e);
  }
  const series = [...byDate].sort(([x], [y]) => x.localeCompare(y)).map(([, e]) => e.sum / e.n);
  const panel = dieboldMariano(series, new Array(series.length).fill(0), {
    lags: neweyWestLags(series.length),
  });
  let better = 0;
  let worse = 0;
  for (const s of symbols) {
    const mine = pairs.filter((p) => p.symbol === s);
    if (mine.length < 30) continue;
    const la = mine.map((p) => qlike(p.realized, p.forecasts[a]!));
    const lb = mine.map((p) => qlike(p.realized, p.forecasts[b]!));
    const dm = dieboldMariano(la, lb, { lags: neweyWestLags(mine.length) });
    if (dm.pValueTwoSided < 0.05) {
      if (dm.statistic > 0) better += 1;
      else worse += 1;
    }
  }
  return { a, b, panel, symbolsBetter: better, symbolsWorse: worse, symbols: symbols.length };
}

/**
 * Out-of-sample backtest: for every symbol, forecasts from each session in [from, to] of the next
 * session's variance (refitted daily, no look-ahead: forecaster.ts), scored against that session's
 * realized variance by QLIKE (variances) and RMSE (volatilities), all models on the same pairs
 * (pairs where every model has a forecast and the realized variance is positive). Comparisons are
 * Diebold-Mariano tests on QLIKE; with sentiment the headline one is HAR-RV + sentiment against
 * HAR-RV fitted on the same rows, since plain HAR-RV is fitted on the full window while the
 * sentiment model only sees the days with sentiment coverage.
 */
export function runBacktest(
  dataset: string,
  series: readonly BacktestSeries[],
  options: { from?: string; to?: string; settings?: ForecastSettings; chartSymbol?: string } = {},
): BacktestResult {
  const settings = options.settings ?? FORECAST_SETTINGS;
  const withSentiment = series.some((s) => s.observations.some((o) => o.sentiment !== null));
  const models: ForecastModel[] = withSentiment
    ? ['random_walk', 'ewma', 'har', 'har_same_sample', 'har_sentiment']
    : ['random_walk', 'ewma', 'har'];
  const from = options.from ?? '0000-01-01';
  const to = options.to ?? '9999-12-31';
  const pairs: Pair[] = [];
  for (const s of series) {
    const forecasts = forecastVolatility(s.observations, settings, (d) => d >= from && d <= to);
    const next = new Map(s.observations.map((o, i) => [o.date, s.observations[i + 1]]));
    for (const f of forecasts) {
      const target = next.get(f.date);
      if (!target || target.variance <= 0) continue;
      const values: Record<string, number | null> = {
        random_walk: f.variance,
        ewma: f.ewma,
        har: f.har,
        har_same_sample: f.harSameSample,
        har_sentiment: f.harSentiment,
      };
      if (models.some((m) => !(values[m]! > 0))) continue;
      pairs.push({
        symbol: s.symbol,
        date: target.date,
        realized: target.variance,
        forecasts: values as Record<string, number>,
        fitObs: { har: f.harObs, har_same_sample: f.harSameSampleObs, har_sentiment: f.harSentimentObs },
      });
    }
  }
  const symbols = [...new Set(pairs.map((p) => p.symbol))].sort();
  const pooled = Object.fromEntries(models.map((m) => [m, score(pairs, m)]));
  const symbolScores = symbols.map((symbol) => {
    const mine = pairs.filter((p) => p.symbol === symbol);
    return { symbol, n: mine.length, scores: Object.fromEntries(models.map((m) => [m, score(mine, m)])) };
  });
  const headline = withSentiment ? compare(pairs, 'har_same_sample', 'har_sentiment', symbols) : null;
  const comparisons = [
    ...(headline ? [headline] : []),
    compare(pairs, 'random_walk', 'ewma', symbols),
    compare(pairs, 'random_walk', 'har', symbols),
    ...(withSentiment
      ? [
          compare(pairs, 'random_walk', 'har_sentiment', symbols),
          compare(pairs, 'har', 'har_sentiment', symbols),
          // What the shorter sample alone costs (or gains) plain HAR-RV.
          compare(pairs, 'har', 'har_same_sample', symbols),
        ]
      : []),
  ];
  const chartSymbol =
    options.chartSymbol && symbols.includes(options.chartSymbol) ? options.chartSymbol : symbols[0]!;
  const chart = {
    symbol: chartSymbol,
    points: pairs
      .filter((p) => p.symbol === chartSymbol)
      .map((p) => ({
        date: p.date,
        realized: Math.sqrt(p.realized),
        forecasts: Object.fromEntries(models.map((m) => [m, Math.sqrt(p.forecasts[m]!)])),
      })),
  };
  const dates = pairs.map((p) => p.date).sort();
  return {
    dataset,
    models,
    settings,
    from: dates[0] ?? from,
    to: dates[dates.length - 1] ?? to,
    n: pairs.length,
    droppedBars: series.reduce((s, x) => s + x.dropped, 0),
    pooled,
    symbols: symbolScores,
    headline,
    comparisons,
    chart,
  };
}
