-- gold.fact_daily_market: daily return, volatility (realized, Parkinson, Garman-Klass) and volume.
-- Grain: one row per symbol per trading session.
-- Key: (symbol, session_date); symbol_key and date_key join to dim_symbol and dim_date.
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.fact_daily_market (
  symbol TEXT NOT NULL,
  symbol_key BIGINT,
  date_key INTEGER,
  session_date DATE NOT NULL,
  open DOUBLE PRECISION,
  high DOUBLE PRECISION,
  low DOUBLE PRECISION,
  close DOUBLE PRECISION,
  previous_close DOUBLE PRECISION,
  log_return DOUBLE PRECISION,
  realized_vol DOUBLE PRECISION,
  n_intraday_returns BIGINT,
  parkinson_vol DOUBLE PRECISION,
  garman_klass_vol DOUBLE PRECISION,
  volume DOUBLE PRECISION,
  dollar_volume DOUBLE PRECISION,
  trade_count BIGINT,
  CONSTRAINT fact_daily_market_pkey PRIMARY KEY (symbol, session_date)
);

CREATE INDEX IF NOT EXISTS fact_daily_market_symbol_key_date_key_idx ON gold.fact_daily_market (symbol_key, date_key);
