import { type ColumnDefinitionBuilder, type Generated, type Kysely, sql } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';

/** Tables of the catalog (DuckLake-like: tables, snapshots, data files with visibility ranges). */
export interface CatalogDatabase {
  ml_tables: {
    table_id: Generated<number>;
    layer: string;
    name: string;
    partition_column: string | null;
    created_at: string;
    /** Bumped by every commit: the UPDATE takes the table's write lock. */
    commit_count: number;
  };
  ml_snapshots: {
    snapshot_id: Generated<number>;
    table_id: number;
    version: number;
    committed_at: string;
    operation: string;
    columns: string;
    properties: string | null;
  };
  ml_files: {
    file_id: Generated<number>;
    table_id: number;
    key: string;
    partition: string | null;
    rows: number | string;
    bytes: number | string;
    etag: string | null;
    /** First table version that sees the file. */
    begin_version: number;
    /** First table version that no longer sees it; null while current. */
    end_version: number | null;
  };
  ml_runs: {
    run_id: string;
    trigger: string;
    command: string;
    status: string;
    /** Schedule that started it, and the tick it stands for (unique together: one run per tick). */
    schedule: string | null;
    scheduled_for: string | null;
    params: string | null;
    started_at: string;
    ended_at: string | null;
    error: string | null;
  };
  ml_tasks: {
    run_id: string;
    task: string;
    status: string;
    attempts: number;
    started_at: string | null;
    ended_at: string | null;
    rows_out: number | string | null;
    partitions: number | null;
    worker: string | null;
    error: string | null;
    detail: string | null;
  };
  ml_batches: {
    table_id: number;
    batch_id: string;
    content_hash: string;
    rows: number | string;
    source: string;
    committed_at: string;
    version: number;
  };
  /** The lake's identity: one row, created once (see SqlCatalog.lakeId). */
  ml_lake: {
    lake_id: string;
    created_at: string;
    /** Always 1 and unique: the table holds at most one row. */
    singleton: Generated<number>;
  };
  /** Leases that serialise work across processes (one build of a model at a time). */
  ml_locks: {
    name: string;
    owner: string;
    /** Epoch milliseconds; an expired lease may be taken over (its holder died). */
    expires_at: number | string;
  };
  /** Gaps of a live feed (a dropped connection): what `backfill --gaps` fills later. */
  ml_stream_gaps: {
    gap_id: Generated<number>;
    source: string;
    dataset: string;
    symbol: string | null;
    /** ISO UTC: the last event received before the drop (or the drop itself). */
    gap_from: string;
    /** ISO UTC: the first event received after the reconnect. */
    gap_to: string;
    recorded_at: string;
    filled_at: string | null;
  };
  /** Data-quality results: one row per check per partition per run ('*' = the check's whole scope). */
  ml_check_results: {
    run_id: string;
    checked_at: string;
    model: string;
    check_name: string;
    partition: string;
    kind: string;
    severity: string;
    status: string;
    rows: number | string;
    failing_rows: number | string;
    threshold: number | null;
    sample: string | null;
    error: string | null;
    ms: number;
  };
}

export type CatalogDialect = 'sqlite' | 'postgres';

/** Append-only migrations: never edit one that shipped; add the next. */
export function catalogMigrations(dialect: CatalogDialect): MigrationProvider {
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';
  const auto = (c: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();
  const migrations: Record<string, Migration> = {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('ml_tables')
          .addColumn('table_id', id, auto)
          .addColumn('layer', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('partition_column', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('commit_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint('ml_tables_layer_name', ['layer', 'name'])
          .execute();
        await db.schema
          .createTable('ml_snapshots')
          .addColumn('snapshot_id', id, auto)
          .addColumn('table_id', 'integer', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('committed_at', 'text', (c) => c.notNull())
          .addColumn('operation', 'text', (c) => c.notNull())
          .addColumn('columns', 'text', (c) => c.notNull())
          .addColumn('properties', 'text')
          .addUniqueConstraint('ml_snapshots_table_version', ['table_id', 'version'])
          .execute();
        await db.schema
          .createTable('ml_files')
          .addColumn('file_id', id, auto)
          .addColumn('table_id', 'integer', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('partition', 'text')
          .addColumn('rows', 'bigint', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .addColumn('etag', 'text')
          .addColumn('begin_version', 'integer', (c) => c.notNull())
          .addColumn('end_version', 'integer')
          .execute();
        await db.schema
          .createIndex('ml_files_visible')
          .on('ml_files')
          .columns(['table_id', 'end_version'])
          .execute();
        await db.schema.createIndex('ml_files_key').on('ml_files').column('key').execute();
        await db.schema
          .createTable('ml_batches')
          .addColumn('table_id', 'integer', (c) => c.notNull())
          .addColumn('batch_id', 'text', (c) => c.notNull())
          .addColumn('content_hash', 'text', (c) => c.notNull())
          .addColumn('rows', 'bigint', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('committed_at', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('ml_batches_hash')
          .on('ml_batches')
          .columns(['table_id', 'content_hash'])
          .execute();
      },
    },
    '0002_run_history': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('ml_runs')
          .addColumn('run_id', 'text', (c) => c.primaryKey())
          .addColumn('trigger', 'text', (c) => c.notNull())
          .addColumn('command', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('schedule', 'text')
          .addColumn('scheduled_for', 'text')
          .addColumn('params', 'text')
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('ended_at', 'text')
          .addColumn('error', 'text')
          .addUniqueConstraint('ml_runs_schedule_tick', ['schedule', 'scheduled_for'])
          .execute();
        await db.schema
          .createTable('ml_tasks')
          .addColumn('run_id', 'text', (c) => c.notNull())
          .addColumn('task', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('started_at', 'text')
          .addColumn('ended_at', 'text')
          .addColumn('rows_out', 'bigint')
          .addColumn('partitions', 'integer')
          .addColumn('worker', 'text')
          .addColumn('error', 'text')
          .addColumn('detail', 'text')
          .addPrimaryKeyConstraint('ml_tasks_pk', ['run_id', 'task'])
          .execute();
      },
    },
    '0003_lake_identity': {
      async up(db: Kysely<unknown>) {
        // The row itself is created on first use (insert-if-absent): `singleton` lets only one exist,
        // so two processes opening a new lake at once end up with the same id.
        await db.schema
          .createTable('ml_lake')
          .addColumn('lake_id', 'text', (c) => c.primaryKey())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('singleton', 'integer', (c) =>
            c.notNull().defaultTo(1).unique().check(sql`singleton = 1`),
          )
          .execute();
      },
    },
    '0004_locks': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('ml_locks')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0005_stream': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('ml_stream_gaps')
          .addColumn('gap_id', id, auto)
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('dataset', 'text', (c) => c.notNull())
          .addColumn('symbol', 'text')
          .addColumn('gap_from', 'text', (c) => c.notNull())
          .addColumn('gap_to', 'text', (c) => c.notNull())
          .addColumn('recorded_at', 'text', (c) => c.notNull())
          .addColumn('filled_at', 'text')
          .execute();
      },
    },
    '0006_check_results': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('ml_check_results')
          .addColumn('run_id', 'text', (c) => c.notNull())
          .addColumn('checked_at', 'text', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('check_name', 'text', (c) => c.notNull())
          .addColumn('partition', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('severity', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('rows', 'bigint', (c) => c.notNull())
          .addColumn('failing_rows', 'bigint', (c) => c.notNull())
          .addColumn('threshold', 'double precision')
          .addColumn('sample', 'text')
          .addColumn('error', 'text')
          .addColumn('ms', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('ml_check_results_pk', ['run_id', 'model', 'check_name', 'partition'])
          .execute();
        await db.schema
          .createIndex('ml_check_results_check')
          .on('ml_check_results')
          .columns(['model', 'check_name', 'checked_at'])
          .execute();
      },
    },
  };
  return { getMigrations: async () => migrations };
}
