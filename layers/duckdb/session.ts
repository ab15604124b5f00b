import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { AsOf, ColumnDef, Snapshot } from '../catalog/catalog.js';
import type { Lake } from '../lake.js';
import { declaredSourceTables } from '../lake-tables.js';
import { LAYERS, qualifiedName, type TableRef } from '../names.js';
import { sqlMacros } from '../sql-files.js';
import { lakeTablesIn } from './parse.js';
import { ident, literal, viewName } from './sql.js';

export interface SessionOptions {
  /** Read every table as of this instant or catalog-wide snapshot id (time travel). */
  asOf?: AsOf;
  threads?: number;
}

type Params = Record<string, string | number | boolean | null>;

/**
 * An in-memory DuckDB with the lake's tables as views (`bronze.trades`, `gold.fact_bars`, ...).
 * Each view is pinned to one catalog snapshot, taken when the session opens (or when the session
 * itself commits to the table), so a query never sees a half-committed table.
 * On a local lake every view is defined at once; on S3 a view is defined (and its files staged
 * into the local cache) the first time a statement reads the table.
 */
export class LakeSession {
  private readonly pinned = new Map<string, { ref: TableRef; snapshot: Snapshot }>();
  private readonly defined = new Set<string>();

  private constructor(
    readonly lake: Lake,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly asOf: AsOf | undefined,
  ) {}

  static async open(lake: Lake, options: SessionOptions = {}): Promise<LakeSession> {
    const instance = await DuckDBInstance.create(':memory:', {
      ...(options.threads ? { threads: String(options.threads) } : {}),
    });
    const connection = await instance.connect();
    const session = new LakeSession(lake, instance, connection, options.asOf);
    // Timestamps are UTC everywhere; market-local times are computed explicitly in SQL.
    await connection.run("SET TimeZone = 'UTC'");
    for (const layer of LAYERS) await connection.run(`CREATE SCHEMA IF NOT EXISTS ${ident(layer)}`);
    // Shared SQL helpers (sql/macros/*.sql), so every model and ad hoc query can use them.
    for (const macro of sqlMacros()) await connection.run(macro);
    await session.attachTables();
    return session;
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
    if (this.lake.store.isLocal) await this.defineView(ref, snapshot);
  }

  /** Define the views `sql` reads that are pinned but not defined yet (stages S3 files). */
  async ensureViewsFor(sql: string): Promise<void> {
    if (this.lake.store.isLocal) return;
    const tables = await lakeTablesIn(this.connection, sql);
    // A statement DuckDB cannot serialise (PRAGMA, SHOW, ...): define every view.
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
  }
}
