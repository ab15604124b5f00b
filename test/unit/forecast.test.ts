import { describe, expect, it } from 'vitest';
import {
  type BacktestSeries,
  type DailyObservation,
  dieboldMariano,
  ewmaVariance,
  FORECAST_SETTINGS,
  forecastVolatility,
  leastSquares,
  normalCdf,
  parkinsonVariance,
  qlike,
  renderBacktestMarkdown,
  runBacktest,
} from '../../models/index.js';

/** A deterministic positive variance series with clustering (no randomness needed). */
function series(n: number, start = '2020-01-01'): DailyObservation[] {
  const out: DailyObservation[] = [];
  let day = Date.parse(`${start}T00:00:00Z`);
  for (let i = 0; i < n; i += 1) {
    const d = new Date(day);
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6) {
      day += 86_400_000;
      i -= 1;
      continue;
    }
    const variance =
      1e-4 * (1 + 0.6 * Math.sin(i / 9) + 0.3 * Math.cos(i / 2.3) + (0.2 * ((i * 7919) % 13)) / 13);
    out.push({
      date: d.toISOString().slice(0, 10),
      variance,
      sentiment: { mean: Math.sin(i / 3), posts: (i * 31) % 17 },
    });
    day += 86_400_000;
  }
  return out;
}

/** Seeded uniform [0, 1) generator (mulberry32): the synthetic panels are the same on every run. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A HAR-type variance process on weekdays: the next day's expected variance is
 * 1e-5 + 0.3 RV(t) + 0.2 RV_week(t) + 0.2 RV_month(t) + effect · (1 + sentiment(t)) · 1e-4,
 * times a mean-one lognormal shock. Sentiment (uniform in [-1, 1]) and post counts are drawn every
 * day but only observed from `coveredFrom` on, and not on about one day in five after that (so
 * the sentiment sample is both shorter and gappy). effect = 0: sentiment is pure noise.
 */
function harPanel(n: number, seed: number, effect: number, coveredFrom: number): DailyObservation[] {
  const u = uniform(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const days = series(n);
  const v: number[] = [];
  const sent: number[] = [];
  return days.map((d, t) => {
    let expected = 1e-4;
    if (t >= 22) {
      const mean = (k: number) => v.slice(t - k, t).reduce((a, b) => a + b, 0) / k;
      expected = 1e-5 + 0.3 * v[t - 1]! + 0.2 * mean(5) + 0.2 * mean(22) + effect * (1 + sent[t - 1]!) * 1e-4;
    }
    v.push(expected * Math.exp(0.6 * normal() - 0.18));
    sent.push(2 * u() - 1);
    const posts = Math.floor(u() * 20);
    const observed = t >= coveredFrom && u() >= 0.2;
    return {
      date: d.date,
      variance: v[t]!,
      sentiment: observed ? { mean: sent[t]!, posts } : null,
    };
  });
}

const panel = (effect: number): BacktestSeries[] =>
  [11, 12, 13, 14].map((seed, i) => ({
    symbol: `S${i}`,
    observations: harPanel(800, seed, effect, 350),
    dropped: 0,
  }));

describe('HAR-RV + sentiment against HAR-RV on the same sample', () => {
  it('the same-sample control is fitted on exactly the rows of the sentiment model, at the same origins', () => {
    const obs = harPanel(800, 7, 0, 350);
    const f = forecastVolatility(obs);
    const v = obs.map((o) => o.variance);
    const harRow = (i: number) => {
      const w = v.slice(i - 4, i + 1).reduce((a, b) => a + b, 0) / 5;
      const m = v.slice(i - 21, i + 1).reduce((a, b) => a + b, 0) / 22;
      return [1, v[i]!, w, m];
    };
    let checked = 0;
    let shorter = 0;
    for (let t = 0; t < obs.length; t += 1) {
      // Forecasts at the same origins; fitted row counts identical.
      expect(f[t]!.harSameSample === null, obs[t]!.date).toBe(f[t]!.harSentiment === null);
      expect(f[t]!.harSameSampleObs).toBe(f[t]!.harSentimentObs);
      if (f[t]!.harSameSample === null) continue;
      expect(obs[t]!.sentiment).not.toBeNull();
      if (f[t]!.harObs > f[t]!.harSameSampleObs) shorter += 1;
      if (t % 37 !== 0) continue;
      // Rebuild the rows here: the newest 250 pairs (s, s + 1), s + 1 <= t, s with sentiment and
      // a month of lags inside the 420-day lookback.
      const since = Date.parse(obs[t]!.date) - FORECAST_SETTINGS.lookbackDays * 86_400_000;
      const first = obs.findIndex((o) => Date.parse(o.date) >= since);
      const xs: number[] = [];
      const ys: number[] = [];
      for (let s = t - 1; s >= first + 21 && ys.length < FORECAST_SETTINGS.windowSessions; s -= 1) {
        if (!obs[s]!.sentiment) continue;
        xs.push(...harRow(s));
        ys.push(v[s + 1]!);
      }
      expect(ys.length).toBe(f[t]!.harSentimentObs);
      const beta = leastSquares(Float64Array.from(xs), Float64Array.from(ys), ys.length, 4)!;
      const raw = harRow(t).reduce((s, xi, j) => s + xi * beta[j]!, 0);
      const expected = Math.min(Math.max(...ys), Math.max(Math.min(...ys), raw));
      expect(f[t]!.harSameSample! / expected).toBeCloseTo(1, 10);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(5);
    // Plain HAR-RV is fitted on more rows: the confound the control removes.
    expect(shorter).toBeGreaterThan(100);
  });

  it('pure-noise sentiment: control and sentiment model are scored on identical pairs, fitted on identical rows, and sentiment does not help', () => {
    const r = runBacktest('noise', panel(0));
    expect(r.models).toEqual(['random_walk', 'ewma', 'har', 'har_same_sample', 'har_sentiment']);
    const h = r.headline!;
    expect([h.a, h.b]).toEqual(['har_same_sample', 'har_sentiment']);
    expect(r.comparisons[0]).toBe(h);
    // One score per pair and model: every model on the same r.n pairs.
    expect(r.symbols.reduce((s, x) => s + x.n, 0)).toBe(r.n);
    expect(r.n).toBeGreaterThan(800);
    expect(r.pooled.har_same_sample!.fitObs).toBe(r.pooled.har_sentiment!.fitObs);
    expect(r.pooled.har!.fitObs!).toBeGreaterThan(r.pooled.har_sentiment!.fitObs! + 20);
    // Two noise regressors only add estimation error: no evidence that they help.
    expect(h.panel.pValueBBetter).toBeGreaterThan(0.05);
    expect(h.symbolsBetter).toBe(0);
    // The sentiment coefficients are near zero: the two forecasts barely differ.
    expect(Math.abs(h.panel.meanDifference)).toBeLessThan(0.05 * r.pooled.har_same_sample!.qlike);
    const md = renderBacktestMarkdown([r]);
    expect(md).toContain('**Did sentiment help?** HAR-RV + sentiment vs HAR-RV (same sample)');
    expect(md).toContain('| HAR-RV (same sample) |');
  });

  it('sentiment that drives next-day variance: the DM test against the same-sample control says it helps', () => {
    const r = runBacktest('driven', panel(1.5));
    const h = r.headline!;
    expect(h.panel.meanDifference).toBeGreaterThan(0);
    expect(h.panel.pValueBBetter).toBeLessThan(0.05);
    expect(h.panel.pValueTwoSided).toBeLessThan(0.05);
    expect(h.symbolsBetter).toBeGreaterThan(0);
    expect(h.symbolsWorse).toBe(0);
    expect(r.pooled.har_sentiment!.qlike).toBeLessThan(r.pooled.har_same_sample!.qlike);
  });
});

describe('volatility forecast functions', () => {
  it('EWMA: the RiskMetrics recursion by hand', () => {
    // s1 = 4; s2 = 0.94*4 + 0.06*1 = 3.82; s3 = 0.94*3.82 + 0.06*9 = 4.1308
    expect(ewmaVariance([4, 1, 9], 0.94)).toBeCloseTo(4.1308, 12);
    expect(ewmaVariance([4, 1, 9], 0.94, 1, 2)).toBeCloseTo(0.94 * 1 + 0.06 * 9, 12);
  });

  it('least squares recovers exact coefficients and refuses a degenerate design', () => {
    // y = 1 + 2 x1 - 3 x2 on 5 rows.
    const rows = [
      [1, 0, 1],
      [1, 1, 0],
      [1, 2, 1],
      [1, 3, 5],
      [1, 4, 2],
    ];
    const x = Float64Array.from(rows.flat());
    const y = Float64Array.from(rows.map(([, a, b]) => 1 + 2 * a! - 3 * b!));
    const beta = leastSquares(x, y, 5, 3)!;
    expect([...beta].map((b) => Number(b.toFixed(10)))).toEqual([1, 2, -3]);
    // y = 2 + x, 3 rows, by hand: slope 1, intercept 2.
    expect([
      ...leastSquares(Float64Array.from([1, 0, 1, 1, 1, 2]), Float64Array.from([2, 3, 4]), 3, 2)!,
    ]).toEqual([expect.closeTo(2, 12), expect.closeTo(1, 12)]);
    // A column of zeros (a sentiment column with no posts) has no solution.
    expect(
      leastSquares(Float64Array.from([1, 0, 1, 0, 1, 0]), Float64Array.from([1, 2, 3]), 3, 2),
    ).toBeNull();
  });

  it('HAR-RV: the OLS of the last pairs, by normal equations in the test', () => {
    const obs = series(40);
    const v = obs.map((o) => o.variance);
    const settings = { ...FORECAST_SETTINGS, windowSessions: 12, minSessions: 12 };
    const f = forecastVolatility(obs, settings);
    const row = (i: number) => {
      const w = v.slice(i - 4, i + 1).reduce((a, b) => a + b, 0) / 5;
      const m = v.slice(i - 21, i + 1).reduce((a, b) => a + b, 0) / 22;
      return [1, v[i]!, w, m];
    };
    let unclipped = 0;
    for (let t = 34; t <= 39; t += 1) {
      // Pairs (s, s + 1) for the 12 newest s with s + 1 <= t.
      const xs: number[][] = [];
      const ys: number[] = [];
      for (let s = t - 1; s >= t - 12; s -= 1) {
        xs.push(row(s));
        ys.push(v[s + 1]!);
      }
      // X'X b = X'y by Gauss-Jordan elimination.
      const k = 4;
      const a = Array.from({ length: k }, (_, i) => [
        ...Array.from({ length: k }, (_, j) => xs.reduce((s, x) => s + x[i]! * x[j]!, 0)),
        xs.reduce((s, x, r) => s + x[i]! * ys[r]!, 0),
      ]);
      for (let c = 0; c < k; c += 1) {
        for (let r = 0; r < k; r += 1) {
          if (r === c) continue;
          const q = a[r]![c]! / a[c]![c]!;
          for (let j = c; j <= k; j += 1) a[r]![j]! -= q * a[c]![j]!;
        }
      }
      const beta = a.map((r, i) => r[k]! / r[i]!);
      const raw = row(t).reduce((s, xi, j) => s + xi * beta[j]!, 0);
      // The insanity filter keeps a forecast within the fitted range of variances.
      const lo = Math.min(...ys);
      const hi = Math.max(...ys);
      if (raw > lo && raw < hi) unclipped += 1;
      expect(f[t]!.harObs).toBe(12);
      expect(f[t]!.har! / Math.min(hi, Math.max(lo, raw))).toBeCloseTo(1, 8);
    }
    expect(unclipped).toBeGreaterThan(0);
    // Under 22 sessions of lags plus the minimum of pairs there is no HAR forecast.
    expect(f[30]!.har).toBeNull();
    expect(f[30]!.ewma).toBeGreaterThan(0);
  });

  it('no look-ahead: changing or removing future sessions leaves every earlier forecast identical', () => {
    const obs = series(420);
    const base = forecastVolatility(obs);
    const cut = 300;
    const altered = obs.map((o, i) =>
      i > cut ? { ...o, variance: o.variance * (3 + (i % 5)), sentiment: { mean: -1, posts: 999 } } : o,
    );
    const shifted = [
      ...obs.slice(0, cut + 1),
      ...obs.slice(cut + 1).map((o) => ({ ...o, variance: o.variance * 10 })),
    ];
    for (const other of [
      forecastVolatility(altered),
      forecastVolatility(shifted),
      forecastVolatility(obs.slice(0, cut + 1)),
    ]) {
      expect(other.slice(0, cut + 1)).toEqual(base.slice(0, cut + 1));
    }
    // And the later forecasts did move (the test would be vacuous otherwise).
    expect(forecastVolatility(altered)[cut + 5]!.har).not.toBe(base[cut + 5]!.har);
    expect(base[cut]!.har).toBeGreaterThan(0);
    expect(base[cut]!.harSentiment).toBeGreaterThan(0);
  });

  it('a forecast depends only on its lookback: computed alone it equals the long run', () => {
    const obs = series(500);
    const full = forecastVolatility(obs);
    const t = 480;
    const since = Date.parse(obs[t]!.date) - FORECAST_SETTINGS.lookbackDays * 86_400_000;
    const window = obs.filter((o, i) => i <= t && Date.parse(o.date) >= since);
    const alone = forecastVolatility(window);
    expect(alone[alone.length - 1]).toEqual(full[t]);
  });

  it('Diebold-Mariano on a hand-computed example', () => {
    // d = [1, 2, 3, 4, 5] - 0: mean 3, gamma0 = 10/5 = 2, DM = 3 / sqrt(2/5) = 4.7434;
    // HLN factor for h = 1: sqrt((5 + 1 - 2) / 5) = sqrt(0.8).
    const dm = dieboldMariano([1, 2, 3, 4, 5], [0, 0, 0, 0, 0]);
    expect(dm.meanDifference).toBe(3);
    expect(dm.statistic).toBeCloseTo((3 / Math.sqrt(0.4)) * Math.sqrt(0.8), 10);
    // With one Newey-West lag: gamma1 = (-2*-1 + -1*0 + 0*1 + 1*2)/5 = 0.8, LRV = 2 + 2*0.5*0.8 = 2.8.
    const nw = dieboldMariano([1, 2, 3, 4, 5], [0, 0, 0, 0, 0], { lags: 1 });
    expect(nw.statistic).toBeCloseTo((3 / Math.sqrt(2.8 / 5)) * Math.sqrt(0.8), 10);
    expect(dm.pValueBBetter).toBeCloseTo(1 - normalCdf(dm.statistic), 12);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6);
  });

  it('QLIKE is zero for a perfect forecast; Parkinson variance by hand', () => {
    expect(qlike(2e-4, 2e-4)).toBe(0);
    expect(qlike(2, 1)).toBeCloseTo(2 - Math.log(2) - 1, 12);
    expect(parkinsonVariance(110, 100)).toBeCloseTo(Math.log(1.1) ** 2 / (4 * Math.log(2)), 15);
  });
});
