-- gold.fact_alerts: 1-minute anomalies (price move, volume spike, high-low swing) with the bar they came from.
-- Grain: one row per symbol per 1m bar per rule that fired.
-- Key: (symbol, bar_start_at, rule).
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.fact_alerts (
  symbol TEXT NOT NULL,
  symbol_key BIGINT,
  date_key INTEGER,
  session_date DATE,
  bar_start_at TIMESTAMP WITH TIME ZONE NOT NULL,
  rule TEXT NOT NULL,
  threshold DOUBLE PRECISION,
  observed_value DOUBLE PRECISION,
  open DOUBLE PRECISION,
  high DOUBLE PRECISION,
  low DOUBLE PRECISION,
  close DOUBLE PRECISION,
  previous_close DOUBLE PRECISION,
  volume DOUBLE PRECISION,
  trailing_mean_volume DOUBLE PRECISION,
  trailing_std_volume DOUBLE PRECISION,
  CONSTRAINT fact_alerts_pkey PRIMARY KEY (symbol, bar_start_at, rule)
);

CREATE INDEX IF NOT EXISTS fact_alerts_session_date_idx ON gold.fact_alerts (session_date, rule);
