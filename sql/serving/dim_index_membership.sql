-- gold.dim_index_membership: index membership intervals (the index as of any date, without
-- survivorship bias).
-- Grain: one row per index, symbol and membership interval. Key: (index_name, symbol, valid_from);
-- valid_to is exclusive and NULL while a member.
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.dim_index_membership (
  index_name TEXT NOT NULL,
  symbol TEXT NOT NULL,
  entity_key BIGINT,
  valid_from DATE NOT NULL,
  valid_to DATE,
  is_current BOOLEAN,
  CONSTRAINT dim_index_membership_pkey PRIMARY KEY (index_name, symbol, valid_from)
);

CREATE INDEX IF NOT EXISTS dim_index_membership_asof_idx ON gold.dim_index_membership (index_name, valid_from, valid_to);
