import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResultReader,
  StatementType,
} from '@duckdb/node-api';
import type { AsOf, ColumnDef, Snapshot } from '../catalog/catalog.js';
import { ConfigError, UsageError } from '../errors.js';
import type { Lake } from '../lake.js';
import { declaredSourceTables } from '../lake-tables.js';
import { LAYERS, qualifiedName, type TableRef } from '../names.js';
import { sqlMacros } from '../sql-files.js';
import { lakeTablesIn } from './parse.js';
import { ident, literal, viewName } from './sql.js';
import { assertPreparedType, checkReadOnlySql } from './statement-guard.js';

/**
 * What the SQL run in a session may touch.
 * - 'trusted' (default): everything; the CLI's own commands that write the lake (ingest, run, demo, ...).
 * - 'analyst' (`query`, `sql`): SQL a person types (runUserSql) may only read; reading local files
 *   stays possible. Settings are locked once the session is set up.
 * - 'service' (workers, anything serving other people): DuckDB's external access is off, so it reads
 *   and writes only the lake's local folders, the session's scratch folder and `allowedPaths`;
 *   settings are locked except SERVICE_SETTINGS. runUserSql is checked as in 'analyst'.
 */
export type SessionAccess = 'trusted' | 'analyst' | 'service';

/**
 * Settings the pipeline code itself changes while a 'service' session runs (bronze ingestion turns an
 * optimizer off around one statement); everything else is locked.
 */
export const SERVICE_SETTINGS = ['disabled_optimizers'] as const;

export interface SessionOptions {
  /** Read every table as of this instant or catalog-wide snapshot id (time travel). */
  asOf?: AsOf;
  threads?: number;
  /** What SQL in the session may touch (default 'trusted'). */
  access?: SessionAccess;
  /** 'service' only: more folders (or files) DuckDB may read and write, e.g. a source's landing folder. */
  allowedPaths?: readonly string[];
}

type Params = Record<string, string | number | boolean | null>;

/**
 * An in-memory DuckDB with the lake's tables as views (`bronze.trades`, `gold.fact_bars`, ...).
 * Each view is pinned to one catalog snapshot, taken when the session opens (or when the session
 * itself commits to the table), so a query never sees a half-committed table.
 * Trusted and service sessions on a local lake define every view at once; 'analyst' sessions
 * (`query`, `sql`) and S3 lakes define a view (staging S3 files into the local cache) the first
 * time a statement reads the table, which DuckDB's parser names (lakeTablesIn): a query starts
 * in the time of the tables it reads, not of every table of the lake. An 'analyst' session pins
 * its snapshots when its first statement that reads a lake table runs, so `query "select 1"`
 * never opens the catalog.
 */
export class LakeSession {
  private readonly pinned = new Map<string, { ref: TableRef; snapshot: Snapshot }>();
  private readonly defined = new Set<string>();
  /** 'analyst': the catalog is read (every table pinned) on the first statement that needs it. */
  private attachPending = false;

  private constructor(
    readonly lake: Lake,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly asOf: AsOf | undefined,
    readonly access: SessionAccess,
    /** A private folder under the OS temp folder ('analyst' and 'service'): DuckDB spills here; removed on close. */
    readonly scratchDir: string | undefined,
  ) {}

  static async open(lake: Lake, options: SessionOptions = {}): Promise<LakeSession> {
    const access = options.access ?? 'trusted';
    const scratchDir = access === 'trusted' ? undefined : mkdtempSync(join(tmpdir(), 'marketlake-scratch-'));
    let instance: DuckDBInstance | undefined;
    let connection: DuckDBConnection | undefined;
    try {
      // DUCKDB_MEMORY_LIMIT ('2GB', '512MiB'): DuckDB's own cap, above which it spills to disk
      // (its default is 80% of the machine's memory).
      const memoryLimit = process.env.DUCKDB_MEMORY_LIMIT?.trim();
      if (memoryLimit && !/^\d+(\.\d+)?\s*(%|[KMGT]i?B|B)$/i.test(memoryLimit))
        throw new ConfigError(`DUCKDB_MEMORY_LIMIT must be a size such as 2GB or 512MiB: ${memoryLimit}`);
      instance = await DuckDBInstance.create(':memory:', {
        ...(options.threads ? { threads: String(options.threads) } : {}),
        ...(memoryLimit ? { memory_limit: memoryLimit } : {}),
      });
      connection = await instance.connect();
      const session = new LakeSession(lake, instance, connection, options.asOf, access, scratchDir);
      // Timestamps are UTC everywhere; market-local times are computed explicitly in SQL.
      await connection.run("SET TimeZone = 'UTC'");
      if (scratchDir) await session.restrict(options.allowedPaths ?? []);
      for (const layer of LAYERS) await connection.run(`CREATE SCHEMA IF NOT EXISTS ${ident(layer)}`);
      // Shared SQL helpers (sql/macros/*.sql), so every model and ad hoc query can use them.
      for (const macro of sqlMacros()) await connection.run(macro);
      if (access === 'analyst') session.attachPending = true;
      else await session.attachTables();
      if (access === 'service') {
        await connection.run(`SET allowed_configs = [${SERVICE_SETTINGS.map(literal).join(', ')}]`);
      }
      // From here on no statement can change a setting (profiling_output, temp_directory, ...).
      if (access !== 'trusted') await connection.run('SET lock_configuration = true');
      return session;
    } catch (err) {
      connection?.closeSync();
      instance?.closeSync();
      if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Settings of 'analyst' and 'service' sessions, before any view exists. Spill files go to the scratch
   * folder (DuckDB's default is `.tmp` under the working directory); no extension is downloaded and no
   * secret is stored under the home folder. 'service' then turns external access off: DuckDB allows
   * only the listed folders (it adds the trailing `/`, so `/lake` does not allow `/lake-old`) and
   * refuses to turn it back on or to change the list while running.
   */
  private async restrict(allowedPaths: readonly string[]): Promise<void> {
    const run = (sql: string) => this.connection.run(sql);
    await run(`SET temp_directory = ${literal(join(this.scratchDir!, 'spill'))}`);
    await run('SET autoinstall_known_extensions = false');
    await run('SET allow_persistent_secrets = false');
    if (this.access !== 'service') return;
    const dirs = [...this.lake.store.localDirs(), this.scratchDir!];
    const files: string[] = [];
    for (const p of allowedPaths) {
      const full = resolve(p);
      let isFile = false;
      try {
        isFile = statSync(full).isFile();
      } catch {
        // Not there yet: allowed as a folder.
      }
      (isFile ? files : dirs).push(full);
    }
    const list = (items: string[]) => `[${items.map(literal).join(', ')}]`;
    await run(`SET allowed_directories = ${list(dirs)}`);
    if (files.length) await run(`SET allowed_paths = ${list(files)}`);
    await run('SET enable_external_access = false');
  }

  /** Pin every table the catalog knows; declared source tables not written yet get empty typed views. */
  async attachTables(): Promise<void> {
    for (const ref of await this.lake.catalog.listTables()) await this.refreshView(ref);
    for (const declared of declaredSourceTables()) {
      if (!this.pinned.has(qualifiedName(declared.ref)))
        await this.defineEmptyView(declared.ref, declared.columns);
    }
  }

  /** The snapshot a view is pinned to. */
  snapshotOf(ref: TableRef): Snapshot | undefined {
    return this.pinned.get(qualifiedName(ref))?.snapshot;
  }

  /** Re-pin `ref` to its current (or as-of) snapshot. */
  async refreshView(ref: TableRef): Promise<void> {
    const snapshot = await this.lake.catalog.snapshot(ref, this.asOf);
    if (!snapshot) return;
    const name = qualifiedName(ref);
    this.pinned.set(name, { ref, snapshot });
    this.defined.delete(name);
    if (!this.lazyViews) await this.defineView(ref, snapshot);
  }

  /** Views are defined when a statement first reads them (see the class comment). */
  private get lazyViews(): boolean {
    return !this.lake.store.isLocal || this.access === 'analyst';
  }

  /** Define the views `sql` reads that are pinned but not defined yet (stages S3 files). */
  async ensureViewsFor(sql: string): Promise<void> {
    if (!this.lazyViews) return;
    // A statement DuckDB cannot serialise (PRAGMA, SHOW, ...), or one that may list tables
    // (information_schema, duckdb_tables(), ...): define every view.
    const lists = /information_schema|pg_catalog|sqlite_master|duckdb_(tables|views|columns)/i.test(sql);
    const tables = lists ? undefined : await lakeTablesIn(this.connection, sql);
    if (this.attachPending && (tables === undefined || tables.length > 0)) {
      this.attachPending = false;
      await this.attachTables();
    }
    const refs = tables ?? [...this.pinned.values()].map((p) => p.ref);
    for (const ref of refs) {
      const name = qualifiedName(ref);
      const pin = this.pinned.get(name);
      if (pin && !this.defined.has(name)) await this.defineView(ref, pin.snapshot);
    }
  }

  private async defineView(ref: TableRef, snap: Snapshot): Promise<void> {
    const name = qualifiedName(ref);
    if (snap.files.length === 0) {
      await this.defineEmptyView(ref, snap.columns);
    } else {
      const paths = await Promise.all(snap.files.map((f) => this.lake.store.localPathForRead(f.key, f.etag)));
      // Project the catalog's columns so files written before a column was added read it as NULL.
      const list = `[${paths.map(literal).join(', ')}]`;
      const cols = snap.columns.map((c) => ident(c.name)).join(', ');
      await this.connection.run(
        `CREATE OR REPLACE VIEW ${viewName(ref)} AS SELECT ${cols} FROM read_parquet(${list}, union_by_name = true)`,
      );
    }
    this.defined.add(name);
  }

  private async defineEmptyView(ref: TableRef, columns: readonly ColumnDef[]): Promise<void> {
    const cols = columns.map((c) => `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`).join(', ');
    await this.connection.run(`CREATE OR REPLACE VIEW ${viewName(ref)} AS SELECT ${cols} WHERE false`);
  }

  /** Run a statement; values bind to `$name` parameters. */
  async run(sql: string, params?: Params): Promise<void> {
    await this.ensureViewsFor(sql);
    await this.connection.run(sql, params);
  }

  /** Rows as plain JSON-safe objects (BIGINT as string, timestamps as text). */
  async all<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]> {
    await this.ensureViewsFor(sql);
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJson() as T[];
  }

  /**
   * Run SQL a person typed (`query`, the `sql` shell, an API) and return the last statement's rows.
   * In 'analyst' and 'service' sessions every statement must only read (statement-guard.ts): the
   * script is checked on its parse tree before anything is bound, then each statement is prepared,
   * its type checked again and run, one after the other.
   */
  async runUserSql(sql: string): Promise<DuckDBResultReader> {
    if (this.access === 'trusted') {
      await this.ensureViewsFor(sql);
      return this.connection.runAndReadAll(sql);
    }
    const script = await checkReadOnlySql(this.connection, sql);
    if (script.statements === 0) throw new UsageError('no SQL statement to run');
    await this.ensureViewsFor(sql);
    const extracted = await this.connection.extractStatements(sql);
    let reader: DuckDBResultReader | undefined;
    for (let i = 0; i < extracted.count; i++) {
      const prepared = await extracted.prepare(i);
      try {
        assertPreparedType(prepared, script);
        reader = await prepared.runAndReadAll();
      } finally {
        prepared.destroySync();
      }
    }
    return reader!;
  }

  /**
   * Write the rows of one query a person typed to the Parquet file `path` (zstd) with a COPY built
   * here: the user's SQL must be a single read-only query, and the COPY wrapped around it must still
   * parse as exactly one COPY statement. Returns the row count.
   */
  async writeUserQueryParquet(sql: string, path: string): Promise<number> {
    const query = sql.trim().replace(/;\s*$/, '');
    if (this.access !== 'trusted') {
      const script = await checkReadOnlySql(this.connection, query);
      if (script.kind !== 'query' || script.statements !== 1)
        throw new UsageError('--out writes the result of exactly one query (SELECT, WITH, FROM, ...)');
    }
    await this.ensureViewsFor(query);
    // Newlines around the query: a trailing `-- comment` cannot swallow the closing parenthesis.
    const copy = `COPY (\n${query}\n) TO ${literal(path)} (FORMAT parquet, COMPRESSION zstd)`;
    const extracted = await this.connection.extractStatements(copy);
    if (extracted.count !== 1) throw new UsageError('--out writes the result of exactly one query');
    const prepared = await extracted.prepare(0);
    try {
      if (prepared.statementType !== StatementType.COPY)
        throw new UsageError('--out writes the result of exactly one query');
      const reader = await prepared.runAndReadAll();
      return Number(reader.getRowObjectsJson()[0]?.Count ?? 0);
    } finally {
      prepared.destroySync();
    }
  }

  /** The column names and types a query would return. */
  async describe(sql: string): Promise<ColumnDef[]> {
    await this.ensureViewsFor(sql);
    const reader = await this.connection.runAndReadAll(`DESCRIBE (${sql})`);
    const rows = reader.getRowObjectsJson() as { column_name: string; column_type: string }[];
    return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
  }

  /** Stop the running statement (wired to AbortSignals by long steps). */
  interrupt(): void {
    this.connection.interrupt();
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    if (this.scratchDir) rmSync(this.scratchDir, { recursive: true, force: true });
  }
}
