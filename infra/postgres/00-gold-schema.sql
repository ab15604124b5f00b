-- Serving database set-up: the gold schema BI tools read. Tables are created by `marketlake serve`
-- from sql/serving/*.sql; this only prepares the schema and a read-only role for BI tools.
CREATE SCHEMA IF NOT EXISTS gold;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bi_reader') THEN
    CREATE ROLE bi_reader NOLOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA gold TO bi_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA gold GRANT SELECT ON TABLES TO bi_reader;
