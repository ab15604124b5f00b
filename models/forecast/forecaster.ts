import { EWMA_SESSIONS, ewmaVariance, RISKMETRICS_LAMBDA } from './ewma.js';
import { leastSquares } from './ols.js';

/** One session of one symbol: its realized variance and, when known, that day's posts. */
export interface DailyObservation {
  /** Session date YYYY-MM-DD. */
  date: string;
  /** Daily realized variance (not annualised), e.g. Parkinson's range variance. */
  variance: number;
  /** Mean sentiment score and post count of the day; null where posts are not covered at all. */
  sentiment: { mean: number; posts: number } | null;
}

/** Forecasts made at the close of `date` for the next session's variance. */
export interface VolForecast {
  date: string;
  /** Variance of `date` itself: the random-walk forecast. */
  variance: number;
  ewma: number | null;
  har: number | null;
  harSentiment: number | null;
  /**
   * Control for HAR-RV + sentiment: plain HAR-RV fitted on exactly the rows the sentiment model
   * was fitted on (same window, only the days with sentiment coverage), forecasting from the same
   * origins. Comparing it with `harSentiment` isolates the sentiment regressors from the shorter
   * sample.
   */
  harSameSample: number | null;
  /** Sessions the HAR-RV, HAR-RV + sentiment and same-sample HAR-RV regressions were fitted on. */
  harObs: number;
  harSentimentObs: number;
  harSameSampleObs: number;
}

export interface ForecastSettings {
  lambda: number;
  ewmaSessions: number;
  /** Regression window: the last N (origin, next-day) pairs. */
  windowSessions: number;
  /** Fewer pairs than this: no HAR forecast. */
  minSessions: number;
  /** Calendar days of history a forecast may read (bounds the window for incremental builds). */
  lookbackDays: number;
}

/**
 * Defaults: λ = 0.94 over 75 sessions; HAR-RV refitted every day on the last 250 sessions (about a
 * year; at least 100), reading at most 420 calendar days back (250 pairs + 22 lag sessions fit in
 * 420 days of an exchange calendar).
 */
export const FORECAST_SETTINGS: Readonly<ForecastSettings> = Object.freeze({
  lambda: RISKMETRICS_LAMBDA,
  ewmaSessions: EWMA_SESSIONS,
  windowSessions: 250,
  minSessions: 100,
  lookbackDays: 420,
});

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

const WEEK = 5;
const MONTH = 22;

/**
 * HAR-RV regressors of session i (Corsi 2009): [1, RV(i), mean RV(i-4..i), mean RV(i-21..i)].
 * Written into `row` at `at`.
 */
function harRow(v: Float64Array, i: number, row: Float64Array, at: number): void {
  let w = 0;
  for (let k = i - WEEK + 1; k <= i; k += 1) w += v[k]!;
  let m = w;
  for (let k = i - MONTH + 1; k <= i - WEEK; k += 1) m += v[k]!;
  row[at] = 1;
  row[at + 1] = v[i]!;
  row[at + 2] = w / WEEK;
  row[at + 3] = m / MONTH;
}

/** Keep a regression forecast inside the range of the variances it was fitted on (insanity filter). */
function bounded(forecast: number, y: Float64Array, n: number): number | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (let i = 0; i < n; i += 1) {
    const t = y[i]!;
    if (t > 0 && t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (!Number.isFinite(lo) || hi <= 0) return null;
  if (!Number.isFinite(forecast)) return null;
  return Math.min(hi, Math.max(lo, forecast));
}

/**
 * Next-session variance forecasts of one symbol from every session in `origins` (default all):
 * (a) EWMA, (b) HAR-RV by least squares, (c) HAR-RV plus the day's mean sentiment and
 * ln(1 + posts), (d) HAR-RV fitted on exactly the rows of (c) (the same-sample control). Each forecast at session t reads only sessions t' <= t with t' >= t − lookbackDays:
 * no look-ahead, and a forecast is the same whether computed in a long run or a short one.
 * The regressions are refitted at every origin on the last `windowSessions` pairs (x(s), RV(s+1))
 * with s + 1 <= t; (c) uses only pairs whose day s has sentiment coverage and (d) reuses the first
 * four columns and the targets of (c)'s rows, and forecasts where (c) may (origin covered). A
 * regression forecast is kept within [min, max] of the variances it was fitted on.
 */
export function forecastVolatility(
  observations: readonly DailyObservation[],
  settings: ForecastSettings = FORECAST_SETTINGS,
  origins?: (date: string) => boolean,
): VolForecast[] {
  const n = observations.length;
  const v = Float64Array.from(observations, (o) => o.variance);
  const days = Int32Array.from(observations, (o) => dayNumber(o.date));
  const sentMean = Float64Array.from(observations, (o) => o.sentiment?.mean ?? 0);
  const sentPosts = Float64Array.from(observations, (o) => Math.log1p(o.sentiment?.posts ?? 0));
  const covered = observations.map((o) => o.sentiment !== null);
  const W = settings.windowSessions;
  const x4 = new Float64Array(W * 4);
  const x6 = new Float64Array(W * 6);
  const xSame = new Float64Array(W * 4);
  const y4 = new Float64Array(W);
  const y6 = new Float64Array(W);
  const out: VolForecast[] = [];
  let start = 0;
  for (let t = 0; t < n; t += 1) {
    const date = observations[t]!.date;
    while (days[start]! < days[t]! - settings.lookbackDays) start += 1;
    if (origins && !origins(date)) continue;
    const ewma = ewmaVariance(v, settings.lambda, Math.max(start, t - settings.ewmaSessions + 1), t);
    // Pairs (s, s + 1), newest first, with a full month of lags inside the lookback.
    let n4 = 0;
    let n6 = 0;
    for (let s = t - 1; s >= start + MONTH - 1 && (n4 < W || n6 < W); s -= 1) {
      if (n4 < W) {
        harRow(v, s, x4, n4 * 4);
        y4[n4] = v[s + 1]!;
        n4 += 1;
      }
      if (n6 < W && covered[s]) {
        harRow(v, s, x6, n6 * 6);
        // harRow wrote 4 values at n6 * 6; the sentiment columns follow.
        x6[n6 * 6 + 4] = sentMean[s]!;
        x6[n6 * 6 + 5] = sentPosts[s]!;
        y6[n6] = v[s + 1]!;
        n6 += 1;
      }
    }
    let har: number | null = null;
    let harSentiment: number | null = null;
    let harSameSample: number | null = null;
    const canForecast = t >= start + MONTH - 1;
    if (canForecast && n4 >= settings.minSessions) {
      const beta = leastSquares(x4, y4, n4, 4);
      if (beta) {
        const row = new Float64Array(4);
        harRow(v, t, row, 0);
        har = bounded(
          row.reduce((s, xi, j) => s + xi * beta[j]!, 0),
          y4,
          n4,
        );
      }
    }
    if (canForecast && covered[t] && n6 >= settings.minSessions) {
      const beta = leastSquares(x6, y6, n6, 6);
      if (beta) {
        const row = new Float64Array(6);
        harRow(v, t, row, 0);
        row[4] = sentMean[t]!;
        row[5] = sentPosts[t]!;
        harSentiment = bounded(
          row.reduce((s, xi, j) => s + xi * beta[j]!, 0),
          y6,
          n6,
        );
      }
      // The control: the HAR columns of the very same rows, the same targets.
      for (let r = 0; r < n6; r += 1) for (let j = 0; j < 4; j += 1) xSame[r * 4 + j] = x6[r * 6 + j]!;
      const betaSame = leastSquares(xSame, y6, n6, 4);
      if (betaSame) {
        const row = new Float64Array(4);
        harRow(v, t, row, 0);
        harSameSample = bounded(
          row.reduce((s, xi, j) => s + xi * betaSame[j]!, 0),
          y6,
          n6,
        );
      }
    }
    out.push({
      date,
      variance: v[t]!,
      ewma: Number.isFinite(ewma) && ewma > 0 ? ewma : null,
      har,
      harSentiment,
      harSameSample,
      harObs: n4,
      harSentimentObs: n6,
      harSameSampleObs: n6,
    });
  }
  return out;
}
