import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import { Migrator } from 'kysely/migration';
import { redactUrl } from '../config.js';
import { CommitError, DuplicateBatchError, StorageError } from '../errors.js';
import { isLayer, type TableRef } from '../names.js';
import type {
  AsOf,
  BatchRecord,
  Catalog,
  ColumnDef,
  DataFile,
  Snapshot,
  SnapshotSummary,
  TableChange,
  TableCommit,
} from './catalog.js';
import { type CatalogDatabase, type CatalogDialect, catalogMigrations } from './catalog-schema.js';
import { SqlCheckHistory } from './check-history.js';
import { SqlRunLog } from './run-log.js';
import { checkSchemaEvolution } from './schema-evolution.js';
import { SqlStreamGapLog } from './stream-gaps.js';

type Db = Kysely<CatalogDatabase> | Transaction<CatalogDatabase>;
type TableRow = { table_id: number; partition_column: string | null };

const PG_SCHEMA = 'marketlake_catalog';

/**
 * The catalog in SQL (Kysely): SQLite in WAL mode inside the lake by default, or a shared PostgreSQL.
 * A commit is one transaction that first bumps the table's row (the write lock: SQLite serialises
 * writers with a busy timeout, PostgreSQL locks the row), so concurrent writers queue, never lose
 * a commit. Files carry a [begin_version, end_version) range: a snapshot sees exactly its files.
 */
export class SqlCatalog implements Catalog {
  private constructor(
    private readonly db: Kysely<CatalogDatabase>,
    readonly description: string,
  ) {}

  /** Open (and migrate) a catalog: `sqlite:<path>` or `postgres://...`. */
  static async open(url: string): Promise<SqlCatalog> {
    const dialect: CatalogDialect = url.startsWith('postgres') ? 'postgres' : 'sqlite';
    let db: Kysely<CatalogDatabase>;
    let sqlite: Database.Database | undefined;
    if (dialect === 'postgres') {
      // Loaded here: a local lake's commands never pay for the PostgreSQL client's start-up.
      const { default: pg } = await import('pg');
      const pool = new pg.Pool({ connectionString: url, max: 4 });
      pool.on('error', () => {}); // idle-client errors surface on the next query instead
      // A connection lost while checked out (a server restart mid-transaction) also emits 'error'
      // on its client, after the query already failed: without a listener that kills the process.
      pool.on('connect', (client) => client.on('error', () => {}));
      const base = new Kysely<CatalogDatabase>({ dialect: new PostgresDialect({ pool }) });
      // IF NOT EXISTS is no guard against a concurrent CREATE SCHEMA: the loser gets a unique violation.
      await base.schema
        .createSchema(PG_SCHEMA)
        .ifNotExists()
        .execute()
        .catch((err: { code?: string }) => {
          if (err.code !== '23505' && err.code !== '42P06') throw err;
        });
      db = base.withSchema(PG_SCHEMA);
    } else {
      const path = url.replace(/^sqlite:(\/\/)?/, '');
      mkdirSync(dirname(path), { recursive: true });
      sqlite = new Database(path);
      // WAL: readers in other processes keep reading while a writer commits.
      sqlite.pragma('busy_timeout = 60000');
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
      db = new Kysely<CatalogDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
    }
    const migrator = new Migrator({
      db,
      provider: catalogMigrations(dialect),
      ...(dialect === 'postgres' ? { migrationTableSchema: PG_SCHEMA } : {}),
    });
    let error: unknown;
    if (sqlite) {
      // Kysely's migrator locks nothing on SQLite: two processes opening a new lake at once would
      // both create the tables. One IMMEDIATE transaction (SQLite's DDL is transactional) serialises
      // them; the second then finds everything migrated. Taken only when a migration is pending.
      if ((await migrator.getMigrations()).some((m) => m.executedAt === undefined)) {
        sqlite.exec('BEGIN IMMEDIATE');
        try {
          ({ error } = await migrator.migrateToLatest());
        } finally {
          if (sqlite.inTransaction) sqlite.exec(error ? 'ROLLBACK' : 'COMMIT');
        }
      }
    } else ({ error } = await migrator.migrateToLatest());
    if (error) {
      await db.destroy();
      throw new StorageError(`cannot migrate the catalog at ${redactUrl(url)}`, { cause: error });
    }
    return new SqlCatalog(
      db,
      dialect === 'postgres'
        ? `PostgreSQL ${redactUrl(url)}`
        : `SQLite ${url.replace(/^sqlite:(\/\/)?/, '')}`,
    );
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** Run history, kept in the same database. */
  runLog(): SqlRunLog {
    return new SqlRunLog(this.db);
  }

  /** Gaps of live feeds, kept in the same database. */
  streamGapLog(): SqlStreamGapLog {
    return new SqlStreamGapLog(this.db);
  }

  /** Data-quality results, kept in the same database. */
  checkHistory(): SqlCheckHistory {
    return new SqlCheckHistory(this.db);
  }

  // Lake identity ------------------------------------------------------------------------------

  private lakeIdRead: Promise<string> | undefined;

  /**
   * The lake's id: read it, or create it if absent and read it again. `ml_lake` holds at most one
   * row (unique `singleton`), so of two processes creating a new lake's id at once one insert wins,
   * the other does nothing, and both read the winner's id (SQLite and PostgreSQL alike).
   */
  lakeId(): Promise<string> {
    this.lakeIdRead ??= this.readOrCreateLakeId().catch((err: unknown) => {
      this.lakeIdRead = undefined;
      throw err;
    });
    return this.lakeIdRead;
  }

  private async readOrCreateLakeId(): Promise<string> {
    const read = () => this.db.selectFrom('ml_lake').select('lake_id').executeTakeFirst();
    const found = await read();
    if (found) return found.lake_id;
    await this.db
      .insertInto('ml_lake')
      .values({ lake_id: crypto.randomUUID(), created_at: new Date().toISOString() })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const created = await read();
    if (!created) throw new StorageError('the catalog has no lake id right after creating one');
    return created.lake_id;
  }

  async listTables(): Promise<TableRef[]> {
    const rows = await this.db
      .selectFrom('ml_tables')
      .select(['layer', 'name'])
      .orderBy('layer')
      .orderBy('name')
      .execute();
    return rows
      .filter((r) => isLayer(r.layer))
      .map((r) => ({ layer: r.layer as TableRef['layer'], name: r.name }));
  }

  private async tableRow(db: Db, ref: TableRef): Promise<TableRow | undefined> {
    return db
      .selectFrom('ml_tables')
      .select(['table_id', 'partition_column'])
      .where('layer', '=', ref.layer)
      .where('name', '=', ref.name)
      .executeTakeFirst();
  }

  private async load(db: Db, ref: TableRef, table: TableRow, version: number): Promise<Snapshot | undefined> {
    const snap = await db
      .selectFrom('ml_snapshots')
      .selectAll()
      .where('table_id', '=', table.table_id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!snap) return undefined;
    const files = await db
      .selectFrom('ml_files')
      .select(['key', 'partition', 'rows', 'bytes', 'etag'])
      .where('table_id', '=', table.table_id)
      .where('begin_version', '<=', version)
      .where((eb) => eb.or([eb('end_version', 'is', null), eb('end_version', '>', version)]))
      .orderBy('file_id')
      .execute();
    return {
      layer: ref.layer,
      table: ref.name,
      version,
      snapshotId: Number(snap.snapshot_id),
      committedAt: snap.committed_at,
      operation: snap.operation as Snapshot['operation'],
      columns: JSON.parse(snap.columns) as ColumnDef[],
      partitionColumn: table.partition_column,
      files: files.map((f) => ({
        key: f.key,
        partition: f.partition,
        rows: Number(f.rows),
        bytes: Number(f.bytes),
        etag: f.etag,
      })),
      ...(snap.properties ? { properties: JSON.parse(snap.properties) as Record<string, unknown> } : {}),
    };
  }

  async snapshot(ref: TableRef, asOf?: AsOf): Promise<Snapshot | undefined> {
    const table = await this.tableRow(this.db, ref);
    if (!table) return undefined;
    let q = this.db.selectFrom('ml_snapshots').select('version').where('table_id', '=', table.table_id);
    if (typeof asOf === 'number') q = q.where('snapshot_id', '<=', asOf);
    else if (asOf) q = q.where('committed_at', '<=', asOf.toISOString());
    const row = await q.orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row ? this.load(this.db, ref, table, row.version) : undefined;
  }

  async snapshotVersion(ref: TableRef, version: number): Promise<Snapshot | undefined> {
    const table = await this.tableRow(this.db, ref);
    return table ? this.load(this.db, ref, table, version) : undefined;
  }

  async history(ref: TableRef): Promise<SnapshotSummary[]> {
    const table = await this.tableRow(this.db, ref);
    if (!table) return [];
    const snaps = await this.db
      .selectFrom('ml_snapshots')
      .select(['version', 'snapshot_id', 'committed_at', 'operation'])
      .where('table_id', '=', table.table_id)
      .orderBy('version')
      .execute();
    const files = await this.db
      .selectFrom('ml_files')
      .select(['rows', 'begin_version', 'end_version'])
      .where('table_id', '=', table.table_id)
      .execute();
    return snaps.map((s) => {
      const visible = files.filter(
        (f) => f.begin_version <= s.version && (f.end_version === null || f.end_version > s.version),
      );
      return {
        version: s.version,
        snapshotId: Number(s.snapshot_id),
        committedAt: s.committed_at,
        operation: s.operation as SnapshotSummary['operation'],
        files: visible.length,
        rows: visible.reduce((n, f) => n + Number(f.rows), 0),
      };
    });
  }

  async findBatch(ref: TableRef, contentHash: string): Promise<BatchRecord | undefined> {
    const table = await this.tableRow(this.db, ref);
    if (!table) return undefined;
    const row = await this.db
      .selectFrom('ml_batches')
      .selectAll()
      .where('table_id', '=', table.table_id)
      .where('content_hash', '=', contentHash)
      .executeTakeFirst();
    return row
      ? {
          batchId: row.batch_id,
          contentHash: row.content_hash,
          rows: Number(row.rows),
          source: row.source,
          committedAt: row.committed_at,
        }
      : undefined;
  }

  async commit(ref: TableRef, change: TableChange): Promise<Snapshot> {
    const [snapshot] = await this.commitAll([{ ref, change }]);
    return snapshot!;
  }

  async commitAll(changes: readonly TableCommit[]): Promise<Snapshot[]> {
    const names = changes.map((c) => `${c.ref.layer}.${c.ref.name}`);
    if (new Set(names).size !== names.length)
      throw new CommitError(`one commit names a table twice: ${names}`);
    // Tables are locked in name order, so two multi-table commits never wait on each other in a cycle.
    const order = changes
      .map((c, i) => ({ ...c, i, name: names[i]! }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return this.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      const out: Snapshot[] = [];
      for (const c of order) out[c.i] = await this.commitOne(trx, c.ref, c.change, now);
      crashPoint('catalog-in-transaction');
      return out;
    });
  }

  /** One table's part of a commit, inside the caller's transaction. */
  private async commitOne(
    trx: Transaction<CatalogDatabase>,
    ref: TableRef,
    change: TableChange,
    now: string,
  ): Promise<Snapshot> {
    const name = `${ref.layer}.${ref.name}`;
    // A write first: takes SQLite's write lock (waiting up to busy_timeout) or PostgreSQL's row lock.
    await trx
      .insertInto('ml_tables')
      .values({
        layer: ref.layer,
        name: ref.name,
        partition_column: change.partitionColumn,
        created_at: now,
        commit_count: 0,
      })
      .onConflict((oc) => oc.columns(['layer', 'name']).doNothing())
      .execute();
    await trx
      .updateTable('ml_tables')
      .set((eb) => ({ commit_count: eb('commit_count', '+', 1) }))
      .where('layer', '=', ref.layer)
      .where('name', '=', ref.name)
      .execute();
    const table = (await this.tableRow(trx, ref))!;
    if (change.batch && change.uniqueBatch) {
      // Under the table's write lock: a writer that committed the same content first is visible here.
      const seen = await trx
        .selectFrom('ml_batches')
        .select('batch_id')
        .where('table_id', '=', table.table_id)
        .where('content_hash', '=', change.batch.contentHash)
        .executeTakeFirst();
      if (seen) throw new DuplicateBatchError(name, change.batch.contentHash);
    }
    const last = await trx
      .selectFrom('ml_snapshots')
      .select('version')
      .where('table_id', '=', table.table_id)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    const current = last ? await this.load(trx, ref, table, last.version) : undefined;
    const version = (current?.version ?? 0) + 1;

    if (current && change.operation !== 'replace') {
      checkSchemaEvolution(name, current.columns, change.columns);
      if (table.partition_column !== change.partitionColumn) {
        throw new CommitError(
          `${name}: partition column is ${table.partition_column}, not ${change.partitionColumn}`,
        );
      }
    }
    if (change.operation === 'replace' && table.partition_column !== change.partitionColumn) {
      await trx
        .updateTable('ml_tables')
        .set({ partition_column: change.partitionColumn })
        .where('table_id', '=', table.table_id)
        .execute();
    }
    const live = trx
      .updateTable('ml_files')
      .set({ end_version: version })
      .where('table_id', '=', table.table_id)
      .where('end_version', 'is', null);
    if (change.operation === 'replace') await live.execute();
    if (change.operation === 'overwrite_partitions') {
      const parts = change.partitions ?? [...new Set(change.files.map((f) => f.partition))];
      const named = parts.filter((p): p is string => p !== null);
      if (named.length) await live.where('partition', 'in', named).execute();
      if (parts.includes(null)) await live.where('partition', 'is', null).execute();
    }
    if (change.operation === 'rewrite_files') {
      const keys = change.removeKeys ?? [];
      const currentKeys = new Set(current?.files.map((f) => f.key));
      const gone = keys.filter((k) => !currentKeys.has(k));
      if (gone.length)
        throw new CommitError(`${name}: ${gone.length} file(s) to rewrite are no longer current`);
      if (keys.length) await live.where('key', 'in', keys).execute();
    }
    await insertFiles(trx, table.table_id, change.files, version);

    // Columns only grow on append-like commits (old files read the new ones as null).
    const columns =
      change.operation === 'replace' || !current
        ? change.columns
        : [
            ...current.columns,
            ...change.columns.filter((c) => !current.columns.some((o) => o.name === c.name)),
          ];
    const properties = change.properties ?? current?.properties;
    await trx
      .insertInto('ml_snapshots')
      .values({
        table_id: table.table_id,
        version,
        committed_at: now,
        operation: change.operation,
        columns: JSON.stringify(columns),
        properties: properties ? JSON.stringify(properties) : null,
      })
      .execute();
    if (change.batch) {
      const b = change.batch;
      await trx
        .insertInto('ml_batches')
        .values({
          table_id: table.table_id,
          batch_id: b.batchId,
          content_hash: b.contentHash,
          rows: b.rows,
          source: b.source,
          committed_at: b.committedAt,
          version,
        })
        .execute();
    }
    return (await this.load(trx, ref, { ...table, partition_column: change.partitionColumn }, version))!;
  }

  async tryLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      // Take over an expired lease (its holder died), then insert ours if none is left.
      await trx.deleteFrom('ml_locks').where('name', '=', name).where('expires_at', '<', now).execute();
      await trx
        .insertInto('ml_locks')
        .values({ name, owner, expires_at: now + ttlMs })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const renewed = await trx
        .updateTable('ml_locks')
        .set({ expires_at: now + ttlMs })
        .where('name', '=', name)
        .where('owner', '=', owner)
        .executeTakeFirst();
      return Number(renewed.numUpdatedRows) === 1;
    });
  }

  async unlock(name: string, owner: string): Promise<void> {
    await this.db.deleteFrom('ml_locks').where('name', '=', name).where('owner', '=', owner).execute();
  }

  async referencedKeys(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('ml_files').select('key').execute();
    return new Set(rows.map((r) => r.key));
  }

  async expireSnapshots(before: Date): Promise<string[]> {
    const cutoff = before.toISOString();
    return this.db.transaction().execute(async (trx) => {
      const doomed: string[] = [];
      const tables = await trx.selectFrom('ml_tables').select('table_id').execute();
      for (const { table_id } of tables) {
        // The oldest version still needed: the last one committed at or before the cutoff (readers
        // asking "as of" the cutoff get it), or the current one.
        const keep = await trx
          .selectFrom('ml_snapshots')
          .select('version')
          .where('table_id', '=', table_id)
          .where('committed_at', '<=', cutoff)
          .orderBy('version', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (!keep) continue;
        const dead = await trx
          .selectFrom('ml_files')
          .select(['file_id', 'key'])
          .where('table_id', '=', table_id)
          .where('end_version', '<=', keep.version)
          .execute();
        if (dead.length) {
          await trx
            .deleteFrom('ml_files')
            .where(
              'file_id',
              'in',
              dead.map((d) => d.file_id),
            )
            .execute();
          doomed.push(...dead.map((d) => d.key));
        }
        await trx
          .deleteFrom('ml_snapshots')
          .where('table_id', '=', table_id)
          .where('version', '<', keep.version)
          .execute();
      }
      return doomed;
    });
  }
}

/** Insert file rows in chunks: one statement per few hundred files (tables with thousands of daily partitions). */
async function insertFiles(
  trx: Transaction<CatalogDatabase>,
  tableId: number,
  files: readonly DataFile[],
  version: number,
) {
  const CHUNK = 400; // under SQLite's 32,766 bound parameters at 9 columns per row
  for (let i = 0; i < files.length; i += CHUNK) {
    await trx
      .insertInto('ml_files')
      .values(
        files.slice(i, i + CHUNK).map((f) => ({
          table_id: tableId,
          key: f.key,
          partition: f.partition,
          rows: f.rows,
          bytes: f.bytes,
          etag: f.etag ?? null,
          begin_version: version,
          end_version: null,
        })),
      )
      .execute();
  }
}

/**
 * Fault injection for the crash tests: when MARKETLAKE_CRASH_AT names this point, the process kills
 * itself with SIGKILL right here (no cleanup, like a power cut).
 */
export function crashPoint(point: string): void {
  if (process.env.MARKETLAKE_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
