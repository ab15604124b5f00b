import { openAsBlob } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ParserOptions, PGlite } from '@electric-sql/pglite';
import { crashPoint } from '../../layers/index.js';
import { reason, ServingError } from './errors.js';
import { lockFolder } from './folder-lock.js';
import { checkRowCount, copyFromSql, deleteAllSql, TEXT_TYPE_OIDS } from './target-sql.js';
import type { ServingTarget } from './types.js';

const parsers: ParserOptions = Object.fromEntries(
  TEXT_TYPE_OIDS.map((oid) => [oid, (value: string) => value]),
);

/** `memory://...` keeps the database in memory (tests); anything else is a folder. */
function isMemory(dir: string): boolean {
  return dir.startsWith('memory://');
}

/** What a PGlite target prints: `PGlite at <absolute dir>`. */
export function describePglite(dir: string): string {
  return isMemory(dir) ? 'PGlite in memory' : `PGlite at ${resolve(dir)}`;
}

/**
 * Serving target on an embedded PGlite (PostgreSQL in WebAssembly) stored in a folder.
 * One process at a time: the folder is locked (`<dir>.lock`, holder in `<dir>.lock.owner`) while open.
 */
export class PGliteTarget implements ServingTarget {
  readonly #db: PGlite;
  readonly #release: (() => Promise<void>) | undefined;
  #closing: Promise<void> | undefined;

  private constructor(
    readonly description: string,
    db: PGlite,
    release: (() => Promise<void>) | undefined,
  ) {
    this.#db = db;
    this.#release = release;
  }

  /** Open (creating on first use, which takes a few seconds) the database in `dir`. */
  static async open(dir: string): Promise<PGliteTarget> {
    const description = describePglite(dir);
    let release: (() => Promise<void>) | undefined;
    try {
      if (!isMemory(dir)) {
        await mkdir(resolve(dir), { recursive: true });
        // A holder killed without releasing (SIGKILL) is detected and taken over at once.
        release = await lockFolder(resolve(dir));
      }
      const db = await PGlite.create(isMemory(dir) ? dir : resolve(dir), { parsers });
      return new PGliteTarget(description, db, release);
    } catch (error) {
      await release?.().catch(() => undefined);
      const busy = (error as { code?: unknown }).code === 'ELOCKED';
      const why = busy ? 'it is in use by another process' : reason(error);
      throw new ServingError(`cannot open ${description}: ${why}`, { cause: error, permanent: !busy });
    }
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.#db.exec(sql);
    } catch (error) {
      throw this.#wrap('statement failed on', error);
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    try {
      return (await this.#db.query<T>(sql, params)).rows;
    } catch (error) {
      throw this.#wrap('query failed on', error);
    }
  }

  async replaceFromCsv(
    schema: string,
    table: string,
    columns: string[],
    csvPath: string,
    expectedRows?: number,
  ): Promise<number> {
    const copy = copyFromSql(schema, table, columns, "'/dev/blob'");
    try {
      // PGlite reads the whole blob into memory: fine for serving-sized tables.
      const blob = await openAsBlob(csvPath);
      return await this.#db.transaction(async (tx) => {
        await tx.query(deleteAllSql(schema, table));
        const result = await tx.query(copy, [], { blob });
        const loaded = result.affectedRows ?? 0;
        checkRowCount(schema, table, loaded, expectedRows);
        crashPoint('serve-in-transaction');
        return loaded;
      });
    } catch (error) {
      if (error instanceof ServingError) throw error;
      throw this.#wrap(`cannot load ${schema}.${table} into`, error);
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        if (!this.#db.closed) await this.#db.close();
      } finally {
        await this.#release?.().catch(() => undefined);
      }
    })();
    return this.#closing;
  }

  #wrap(action: string, error: unknown): ServingError {
    return new ServingError(`${action} ${this.description}: ${reason(error)}`, { cause: error });
  }
}
