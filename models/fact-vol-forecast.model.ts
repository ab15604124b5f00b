import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { FORECAST_SETTINGS } from './forecast/forecaster.js';
import { volForecastStep } from './forecast/vol-forecast.step.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'fact_vol_forecast'), layer: 'gold' as const };

const finitePositive = (c: string) => `(${c} IS NULL OR (isfinite(${c}) AND ${c} > 0))`;

export const factVolForecast: ModelDefinition = {
  ref,
  description:
    "Next-session volatility forecasts per symbol from each session's close: EWMA (RiskMetrics, λ = 0.94), HAR-RV and HAR-RV with lagged daily sentiment, refitted daily on a rolling window with no look-ahead",
  grain: 'one row per symbol per session date (the forecast origin)',
  uniqueKey: ['symbol', 'session_date'],
  partitionColumn: 'session_date',
  // A forecast reads its own session and the sessions of the 420 days before it, nothing after.
  incremental: byPartition(FORECAST_SETTINGS.lookbackDays, 0),
  step: volForecastStep,
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'symbol_key', description: 'dim_symbol version of the session' },
    { name: 'date_key', description: 'Session date as yyyymmdd (dim_date)' },
    { name: 'session_date', description: 'Forecast origin: data through this close (partition)' },
    {
      name: 'realized_vol',
      description: "The session's Parkinson range volatility (the random-walk forecast), daily",
    },
    { name: 'forecast_ewma_vol', description: 'EWMA forecast of the next session, daily volatility' },
    { name: 'forecast_har_vol', description: 'HAR-RV forecast (null under 100 sessions of history)' },
    {
      name: 'forecast_har_sentiment_vol',
      description: 'HAR-RV + mean sentiment + ln(1 + posts) forecast (null without sentiment variation)',
    },
    { name: 'har_obs', description: 'Sessions the HAR-RV regression was fitted on' },
    { name: 'har_sentiment_obs', description: 'Sessions the HAR-RV + sentiment regression was fitted on' },
  ],
  checks: [
    uniqueKey(ref, ['symbol', 'session_date']),
    notNull(ref, ['symbol', 'session_date', 'realized_vol']),
    rowRule(
      ref,
      'forecasts_finite_positive',
      `${finitePositive('forecast_ewma_vol')} AND ${finitePositive('forecast_har_vol')} AND ${finitePositive('forecast_har_sentiment_vol')}`,
      'forecasts are finite (no NaN or infinity) and positive where present',
    ),
    rowRule(
      ref,
      'realized_vol_finite',
      'isfinite(realized_vol) AND realized_vol >= 0',
      'realized volatility is finite and non-negative',
    ),
  ],
};
