import { randomUUID } from 'node:crypto';
import { ident, type LakeSession } from '../../layers/index.js';
import type { ModelStep } from '../model.js';
import { type DailyObservation, FORECAST_SETTINGS, forecastVolatility } from './forecaster.js';

interface InputRow {
  symbol: string;
  symbol_key: bigint | number | null;
  date_key: number | null;
  session_date: string;
  daily_variance: number;
  mean_sentiment: number;
  post_count: bigint | number;
}

/**
 * The forecasting step of `gold.fact_vol_forecast`: per symbol, in date order, EWMA and HAR-RV
 * (with and without sentiment) refitted at every session on the sessions before it (forecaster.ts);
 * the rows go to a temporary table that becomes the model's output. Every session of the dates
 * the daily facts cover counts as having sentiment (0 posts when nobody wrote).
 */
export const volForecastStep: ModelStep = {
  describe: () =>
    `EWMA(λ=${FORECAST_SETTINGS.lambda}, ${FORECAST_SETTINGS.ewmaSessions} sessions) and HAR-RV ± sentiment (OLS on the last ${FORECAST_SETTINGS.windowSessions} sessions, at least ${FORECAST_SETTINGS.minSessions}, within ${FORECAST_SETTINGS.lookbackDays} days) v1`,
  async run(session: LakeSession, inputSql: string) {
    const rows = await session.all<InputRow>(inputSql);
    const table = `vol_forecast_${randomUUID().replace(/-/g, '')}`;
    const qualified = `temp.main.${ident(table)}`;
    await session.connection.run(
      `CREATE TEMP TABLE ${ident(table)} (symbol VARCHAR, symbol_key BIGINT, date_key INTEGER, session_date VARCHAR, realized_vol DOUBLE, forecast_ewma_vol DOUBLE, forecast_har_vol DOUBLE, forecast_har_sentiment_vol DOUBLE, har_obs INTEGER, har_sentiment_obs INTEGER)`,
    );
    const bySymbol = new Map<string, InputRow[]>();
    for (const r of rows) {
      const list = bySymbol.get(r.symbol) ?? [];
      list.push(r);
      bySymbol.set(r.symbol, list);
    }
    const appender = await session.connection.createAppender(table, 'main', 'temp');
    const optional = (v: number | null) => {
      if (v === null) appender.appendNull();
      else appender.appendDouble(Math.sqrt(v));
    };
    try {
      for (const symbol of [...bySymbol.keys()].sort()) {
        const list = bySymbol.get(symbol)!.sort((a, b) => a.session_date.localeCompare(b.session_date));
        const observations: DailyObservation[] = list.map((r) => ({
          date: r.session_date,
          variance: r.daily_variance,
          sentiment: { mean: r.mean_sentiment, posts: Number(r.post_count) },
        }));
        const forecasts = forecastVolatility(observations);
        forecasts.forEach((f, i) => {
          const r = list[i]!;
          appender.appendVarchar(symbol);
          if (r.symbol_key === null) appender.appendNull();
          else appender.appendBigInt(BigInt(r.symbol_key));
          if (r.date_key === null) appender.appendNull();
          else appender.appendInteger(Number(r.date_key));
          appender.appendVarchar(f.date);
          appender.appendDouble(Math.sqrt(f.variance));
          optional(f.ewma);
          optional(f.har);
          optional(f.harSentiment);
          appender.appendInteger(f.harObs);
          appender.appendInteger(f.harSentimentObs);
          appender.endRow();
        });
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return {
      sql: `SELECT symbol, symbol_key, date_key, CAST(session_date AS DATE) AS session_date, realized_vol, forecast_ewma_vol, forecast_har_vol, forecast_har_sentiment_vol, har_obs, har_sentiment_obs FROM ${qualified}`,
      cleanup: async () => {
        await session.connection.run(`DROP TABLE IF EXISTS ${qualified}`);
      },
    };
  },
};
