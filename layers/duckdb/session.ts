import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ColumnDef, Snapshot } from '../catalog/catalog.js';
import type { Lake } from '../lake.js';
import { declaredSourceTables } from '../lake-tables.js';
import { LAYERS, qualifiedName, type TableRef } from '../names.js';
import { ident, literal, viewName } from './sql.js';

export interface SessionOptions {
  /** Read every table as of this instant (time travel). */
  asOf?: Date;
  threads?: number;
}

type Params = Record<string, string | number | boolean | null>;

/**
 * An in-memory DuckDB with the lake's tables as views (`bronze.trades`, `gold.fact_bars`, ...).
 * Each view is pinned to one catalog snapshot, so a query never sees a half-committed table.
 */
export class LakeSession {
  private readonly snapshots = new Map<string, Snapshot>();

  private constructor(
    readonly lake: Lake,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly asOf: Date | undefined,
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
    await session.attachTables();
    return session;
  }

  /** (Re)create a view for every table the catalog knows, and empty typed views for declared source tables. */
  async attachTables(): Promise<void> {
    const known = await this.lake.catalog.listTables();
    for (const ref of known) await this.refreshView(ref);
    for (const declared of declaredSourceTables()) {
      if (!this.snapshots.has(qualifiedName(declared.ref)))
        await this.defineEmptyView(declared.ref, declared.columns);
    }
  }

  /** The snapshot a view is pinned to. */
  snapshotOf(ref: TableRef): Snapshot | undefined {
    return this.snapshots.get(qualifiedName(ref));
  }

  /** Point the view of `ref` at its current (or as-of) snapshot. */
  async refreshView(ref: TableRef): Promise<void> {
    const snap = await this.lake.catalog.snapshot(ref, this.asOf);
    if (!snap) return;
    this.snapshots.set(qualifiedName(ref), snap);
    if (snap.files.length === 0) {
      await this.defineEmptyView(ref, snap.columns);
      return;
    }
    const paths = await Promise.all(snap.files.map((f) => this.lake.store.localPathForRead(f.key)));
    // Project the catalog's columns so files written before a column was added read it as NULL.
    const list = `[${paths.map(literal).join(', ')}]`;
    const cols = snap.columns.map((c) => ident(c.name)).join(', ');
    await this.connection.run(
      `CREATE OR REPLACE VIEW ${viewName(ref)} AS SELECT ${cols} FROM read_parquet(${list}, union_by_name = true)`,
    );
  }

  private async defineEmptyView(ref: TableRef, columns: readonly ColumnDef[]): Promise<void> {
    const cols = columns.map((c) => `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`).join(', ');
    await this.connection.run(`CREATE OR REPLACE VIEW ${viewName(ref)} AS SELECT ${cols} WHERE false`);
  }

  /** Run a statement; values bind to `$name` parameters. */
  async run(sql: string, params?: Params): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** Rows as plain JSON-safe objects (BIGINT as string, timestamps as text). */
  async all<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJson() as T[];
  }

  /** The column names and types a query would return. */
  async describe(sql: string): Promise<ColumnDef[]> {
    const rows = await this.all<{ column_name: string; column_type: string }>(`DESCRIBE (${sql})`);
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
