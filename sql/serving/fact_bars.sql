-- gold.fact_bars: OHLCV bars per symbol and interval (1m, 1h, 1d, ...), in UTC.
-- Grain: one row per symbol, interval and bar start instant.
-- Key: (symbol, interval, bar_start_at); symbol_key and date_key join to dim_symbol and dim_date.
CREATE SCHEMA IF NOT EXISTS gold;

-- Partitioned by month of session_date (PostgreSQL native partitioning, one partition per month named
-- fact_bars_pYYYYMM, created and swapped by marketlake serve): a restated month is loaded beside the
-- served one and attached in its place; a query with a session_date range reads only its months.
-- A key of a partitioned table must include the partition column: session_date follows from
-- (symbol, interval, bar_start_at), so the key means the same as before.
CREATE TABLE IF NOT EXISTS gold.fact_bars (
  symbol TEXT NOT NULL,
  symbol_key BIGINT,
  date_key INTEGER,
  session_date DATE NOT NULL,
  "interval" TEXT NOT NULL,
  bar_start_at TIMESTAMP WITH TIME ZONE NOT NULL,
  open DOUBLE PRECISION,
  high DOUBLE PRECISION,
  low DOUBLE PRECISION,
  close DOUBLE PRECISION,
  volume DOUBLE PRECISION,
  vwap DOUBLE PRECISION,
  trade_count BIGINT,
  adj_close DOUBLE PRECISION,
  -- The same bar from every print, whatever its sale conditions (issue #22); open..close above may be
  -- null on a bar whose prints set no price.
  naive_open DOUBLE PRECISION,
  naive_high DOUBLE PRECISION,
  naive_low DOUBLE PRECISION,
  naive_close DOUBLE PRECISION,
  naive_volume DOUBLE PRECISION,
  naive_vwap DOUBLE PRECISION,
  naive_trade_count BIGINT,
  -- The company behind the ticker on the session date, the same across a rename (FB and META).
  entity_key BIGINT,
  -- The split/dividend adjustment of every bar, intraday included.
  adj_factor DOUBLE PRECISION,
  adj_volume DOUBLE PRECISION,
  CONSTRAINT fact_bars_pkey PRIMARY KEY (symbol, "interval", bar_start_at, session_date)
) PARTITION BY RANGE (session_date);

CREATE INDEX IF NOT EXISTS fact_bars_symbol_key_date_key_idx ON gold.fact_bars (symbol_key, date_key);
-- Replacing some days of a served month deletes their rows by session_date: without this index that
-- DELETE scans the whole month.
CREATE INDEX IF NOT EXISTS fact_bars_session_date_idx ON gold.fact_bars (session_date);
