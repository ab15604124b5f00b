-- gold.fact_sentiment_volatility: day-t sentiment against day-t+1 realized volatility, rolling correlation.
-- Grain: one row per symbol per session date with sentiment.
-- Key: (symbol, session_date); symbol_key and date_key join to dim_symbol and dim_date.
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.fact_sentiment_volatility (
  symbol TEXT NOT NULL,
  symbol_key BIGINT,
  date_key INTEGER,
  session_date DATE NOT NULL,
  post_count BIGINT,
  mean_sentiment DOUBLE PRECISION,
  weighted_sentiment DOUBLE PRECISION,
  realized_vol DOUBLE PRECISION,
  next_session_date DATE,
  next_realized_vol DOUBLE PRECISION,
  next_log_return DOUBLE PRECISION,
  rolling_pairs BIGINT,
  rolling_corr_30d DOUBLE PRECISION,
  CONSTRAINT fact_sentiment_volatility_pkey PRIMARY KEY (symbol, session_date)
);
