-- gold.dim_symbol: the instruments we serve, with their history (slowly changing dimension, type 2).
-- Grain: one row per symbol and version of its attributes (name, exchange, sector, ...).
-- Key: symbol_key (surrogate key of one version); valid_to is NULL for the open (current) version.
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.dim_symbol (
  symbol_key BIGINT NOT NULL,
  symbol TEXT,
  name TEXT,
  exchange TEXT,
  asset_class TEXT,
  sector TEXT,
  industry TEXT,
  market_timezone TEXT,
  valid_from DATE,
  valid_to DATE,
  is_current BOOLEAN,
  CONSTRAINT dim_symbol_pkey PRIMARY KEY (symbol_key)
);

CREATE INDEX IF NOT EXISTS dim_symbol_symbol_idx ON gold.dim_symbol (symbol, valid_from);

-- Added with point-in-time reference data (issue #14): the entity behind a ticker (stable across
-- renames) and its trading units.
ALTER TABLE gold.dim_symbol ADD COLUMN IF NOT EXISTS entity_key BIGINT;
ALTER TABLE gold.dim_symbol ADD COLUMN IF NOT EXISTS entity_id TEXT;
ALTER TABLE gold.dim_symbol ADD COLUMN IF NOT EXISTS currency TEXT;
ALTER TABLE gold.dim_symbol ADD COLUMN IF NOT EXISTS tick_size DOUBLE PRECISION;
ALTER TABLE gold.dim_symbol ADD COLUMN IF NOT EXISTS lot_size DOUBLE PRECISION;
ALTER TABLE gold.dim_symbol ADD COLUMN IF NOT EXISTS cik TEXT;
ALTER TABLE gold.dim_symbol ADD COLUMN IF NOT EXISTS figi TEXT;
CREATE INDEX IF NOT EXISTS dim_symbol_entity_idx ON gold.dim_symbol (entity_key, valid_from);
