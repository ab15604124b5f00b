/** RiskMetrics' decay for daily data (J.P. Morgan/Reuters, RiskMetrics Technical Document, 1996). */
export const RISKMETRICS_LAMBDA = 0.94;

/**
 * Sessions an EWMA reads: RiskMetrics' effective window at 1% tolerance for λ = 0.94,
 * ln(0.01) / ln(0.94) ≈ 74.4, rounded up. A fixed window makes a forecast depend on a bounded
 * stretch of history, so a partition rebuilt alone equals the same partition of a full build.
 */
export const EWMA_SESSIONS = 75;

/**
 * One-step-ahead EWMA variance after the last value: the RiskMetrics recursion
 * σ²(t+1) = λ σ²(t) + (1 − λ) x(t), seeded with the first value (σ²(1) = x(0)), so the weights
 * (1 − λ)λ^k and λ^(n−1) of the oldest value add up to exactly 1. `values` are daily variances.
 */
export function ewmaVariance(
  values: ArrayLike<number>,
  lambda = RISKMETRICS_LAMBDA,
  from = 0,
  to = values.length - 1,
) {
  let s = values[from]!;
  for (let i = from + 1; i <= to; i += 1) s = lambda * s + (1 - lambda) * values[i]!;
  return s;
}
