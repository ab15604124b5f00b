-- gold.fact_daily_sentiment: post count and sentiment per symbol and day.
-- Grain: one row per symbol per session date with posts.
-- Key: (symbol, session_date); symbol_key and date_key join to dim_symbol and dim_date.
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.fact_daily_sentiment (
  symbol TEXT NOT NULL,
  symbol_key BIGINT,
  date_key INTEGER,
  session_date DATE NOT NULL,
  post_count BIGINT,
  scored_count BIGINT,
  mean_sentiment DOUBLE PRECISION,
  weighted_sentiment DOUBLE PRECISION,
  bullish_share DOUBLE PRECISION,
  bearish_share DOUBLE PRECISION,
  total_upvotes BIGINT,
  CONSTRAINT fact_daily_sentiment_pkey PRIMARY KEY (symbol, session_date)
);

CREATE INDEX IF NOT EXISTS fact_daily_sentiment_symbol_key_date_key_idx ON gold.fact_daily_sentiment (symbol_key, date_key);
