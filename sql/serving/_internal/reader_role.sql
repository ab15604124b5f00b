-- marketlake_reader: the read-only role for BI users (GRANT marketlake_reader TO <user>). It may read
-- the gold schema and nothing else marketlake creates; it owns nothing and cannot write. Roles belong
-- to the whole server: created once, quietly skipped when the serving user may not create roles.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marketlake_reader') THEN
    CREATE ROLE marketlake_reader NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN NULL;
END
$$;
