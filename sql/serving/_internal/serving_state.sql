-- marketlake_serving: what the serving database holds, kept beside gold and hidden from BI readers.
-- serving_migrations: one row per serving DDL file applied (sql/serving/<table>.sql) and per column
--   added to match the lake ('<table>.<column>'); a file is applied again only when its checksum changes.
-- served_tables: one row per gold table: the lake snapshot (table version) it holds, so an unchanged
--   table is skipped and a partitioned fact replaces only the partitions changed since.
CREATE SCHEMA IF NOT EXISTS marketlake_serving;

CREATE TABLE IF NOT EXISTS marketlake_serving.serving_migrations (
  name TEXT NOT NULL PRIMARY KEY,
  checksum TEXT NOT NULL,
  applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS marketlake_serving.served_tables (
  table_name TEXT NOT NULL PRIMARY KEY,
  lake_id TEXT,
  table_version INTEGER,
  snapshot_id BIGINT,
  row_count BIGINT NOT NULL,
  served_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

REVOKE ALL ON SCHEMA marketlake_serving FROM PUBLIC;
