-- gold.fact_vol_forecast: next-session volatility forecasts per symbol.
-- Grain: one row per symbol per session date (the forecast origin).
-- Key: (symbol, session_date); symbol_key and date_key join to dim_symbol and dim_date.
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.fact_vol_forecast (
  symbol TEXT NOT NULL,
  symbol_key BIGINT,
  date_key INTEGER,
  session_date DATE NOT NULL,
  realized_vol DOUBLE PRECISION,
  forecast_ewma_vol DOUBLE PRECISION,
  forecast_har_vol DOUBLE PRECISION,
  forecast_har_sentiment_vol DOUBLE PRECISION,
  har_obs INTEGER,
  har_sentiment_obs INTEGER,
  CONSTRAINT fact_vol_forecast_pkey PRIMARY KEY (symbol, session_date)
);

CREATE INDEX IF NOT EXISTS fact_vol_forecast_symbol_key_date_key_idx ON gold.fact_vol_forecast (symbol_key, date_key);
