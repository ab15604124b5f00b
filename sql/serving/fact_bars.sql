-- gold.fact_bars: OHLCV bars per symbol and interval (1m, 1h, 1d, ...), in UTC.
-- Grain: one row per symbol, interval and bar start instant.
-- Key: (symbol, interval, bar_start_at); symbol_key and date_key join to dim_symbol and dim_date.
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.fact_bars (
  symbol TEXT NOT NULL,
  symbol_key BIGINT,
  date_key INTEGER,
  session_date DATE,
  "interval" TEXT NOT NULL,
  bar_start_at TIMESTAMP WITH TIME ZONE NOT NULL,
  open DOUBLE PRECISION,
  high DOUBLE PRECISION,
  low DOUBLE PRECISION,
  close DOUBLE PRECISION,
  volume DOUBLE PRECISION,
  vwap DOUBLE PRECISION,
  trade_count BIGINT,
  CONSTRAINT fact_bars_pkey PRIMARY KEY (symbol, "interval", bar_start_at)
);

CREATE INDEX IF NOT EXISTS fact_bars_symbol_key_date_key_idx ON gold.fact_bars (symbol_key, date_key);
-- Replacing a changed session_date partition deletes its rows by session_date: without this index
-- that DELETE scans the whole table.
CREATE INDEX IF NOT EXISTS fact_bars_session_date_idx ON gold.fact_bars (session_date);

-- Added with adjusted prices (issue #5); ADD COLUMN IF NOT EXISTS upgrades older databases.
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS adj_close DOUBLE PRECISION;

-- Added with sale-condition eligibility (issue #22): the same bar from every print, whatever its
-- conditions; open..close may now be null on a bar whose prints set no price.
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS naive_open DOUBLE PRECISION;
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS naive_high DOUBLE PRECISION;
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS naive_low DOUBLE PRECISION;
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS naive_close DOUBLE PRECISION;
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS naive_volume DOUBLE PRECISION;
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS naive_vwap DOUBLE PRECISION;
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS naive_trade_count BIGINT;

-- Added with point-in-time reference data (issue #14): the company behind the ticker on the
-- session date, the same across a rename (FB and META).
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS entity_key BIGINT;
-- The split/dividend adjustment for every bar, intraday included (issue #14).
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS adj_factor DOUBLE PRECISION;
ALTER TABLE gold.fact_bars ADD COLUMN IF NOT EXISTS adj_volume DOUBLE PRECISION;
