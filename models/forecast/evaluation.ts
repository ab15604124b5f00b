/**
 * QLIKE loss of a variance forecast h for a realized variance r: r/h − ln(r/h) − 1 (Patton 2011:
 * robust to noise in the volatility proxy; 0 for a perfect forecast). Needs r > 0 and h > 0.
 */
export function qlike(realized: number, forecast: number): number {
  const ratio = realized / forecast;
  return ratio - Math.log(ratio) - 1;
}

/** Root mean squared error of volatility forecasts (square roots of the variances). */
export function rmse(realizedVar: readonly number[], forecastVar: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < realizedVar.length; i += 1)
    s += (Math.sqrt(realizedVar[i]!) - Math.sqrt(forecastVar[i]!)) ** 2;
  return Math.sqrt(s / realizedVar.length);
}

/** Standard normal CDF, by the Chebyshev fit of erfc in Numerical Recipes (erfcc: error below 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

export interface DieboldMariano {
  /** Pairs compared. */
  n: number;
  /** Mean of d = loss(A) − loss(B): positive means B's forecasts were better. */
  meanDifference: number;
  /** Newey-West lags used for the long-run variance of d. */
  lags: number;
  /** DM statistic with the Harvey-Leybourne-Newbold (1997) small-sample factor. */
  statistic: number;
  /** p-value of "B is better than A" (one-sided, H1: E[d] > 0). */
  pValueBBetter: number;
  /** Two-sided p-value of "equal accuracy". */
  pValueTwoSided: number;
}

/**
 * Diebold-Mariano (1995) test of equal predictive accuracy for the loss differential
 * d_t = L(A)_t − L(B)_t of h-step forecasts: DM = mean(d) / sqrt(LRV(d) / n), the long-run variance
 * by Newey-West with a Bartlett kernel (default lags h − 1, the textbook choice; pass more when
 * the differentials are autocorrelated), times the HLN factor sqrt((n + 1 − 2h + h(h−1)/n) / n);
 * p-values from the standard normal.
 */
export function dieboldMariano(
  lossA: readonly number[],
  lossB: readonly number[],
  options: { horizon?: number; lags?: number } = {},
): DieboldMariano {
  const h = options.horizon ?? 1;
  const lags = options.lags ?? h - 1;
  const n = lossA.length;
  const d = lossA.map((a, i) => a - lossB[i]!);
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const gamma = (k: number) => {
    let s = 0;
    for (let t = k; t < n; t += 1) s += (d[t]! - mean) * (d[t - k]! - mean);
    return s / n;
  };
  let lrv = gamma(0);
  for (let k = 1; k <= lags; k += 1) lrv += 2 * (1 - k / (lags + 1)) * gamma(k);
  const dm = mean / Math.sqrt(lrv / n);
  const hln = Math.sqrt((n + 1 - 2 * h + (h * (h - 1)) / n) / n);
  const statistic = dm * hln;
  return {
    n,
    meanDifference: mean,
    lags,
    statistic,
    pValueBBetter: 1 - normalCdf(statistic),
    pValueTwoSided: 2 * (1 - normalCdf(Math.abs(statistic))),
  };
}
