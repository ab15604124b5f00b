-- gold.dim_date: the calendar, with the trading days of each market.
-- Grain: one row per calendar day.
-- Key: date_key (yyyymmdd as an integer, e.g. 20240102).
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.dim_date (
  date_key INTEGER NOT NULL,
  date DATE,
  year INTEGER,
  quarter INTEGER,
  month INTEGER,
  day INTEGER,
  day_of_week INTEGER,
  day_name TEXT,
  iso_week INTEGER,
  is_weekend BOOLEAN,
  is_nyse_trading_day BOOLEAN,
  is_crypto_trading_day BOOLEAN,
  CONSTRAINT dim_date_pkey PRIMARY KEY (date_key)
);

-- Columns added with the NYSE calendar (issue #5); ADD COLUMN IF NOT EXISTS upgrades older databases.
ALTER TABLE gold.dim_date ADD COLUMN IF NOT EXISTS is_nyse_holiday BOOLEAN;
ALTER TABLE gold.dim_date ADD COLUMN IF NOT EXISTS nyse_holiday_name TEXT;
ALTER TABLE gold.dim_date ADD COLUMN IF NOT EXISTS is_nyse_early_close BOOLEAN;
ALTER TABLE gold.dim_date ADD COLUMN IF NOT EXISTS nyse_open_local_time TIME;
ALTER TABLE gold.dim_date ADD COLUMN IF NOT EXISTS nyse_close_local_time TIME;
