import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ParserOptions, PGlite } from '@electric-sql/pglite';
import { reason, ServingError } from './errors.js';
import { lockFolder } from './folder-lock.js';
import { readPgliteTemplate, savePgliteTemplate } from './pglite-template.js';
import { TEXT_TYPE_OIDS } from './target-sql.js';
import type { ServingTarget, ServingTransaction } from './types.js';

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
      const path = isMemory(dir) ? dir : resolve(dir);
      // A new database starts from the saved template (about 1 s) instead of initdb (about 7 s).
      const fresh = isMemory(dir) || !existsSync(join(path, 'PG_VERSION'));
      const template = fresh ? await readPgliteTemplate() : undefined;
      const db = await PGlite.create(path, { parsers, ...(template ? { loadDataDir: template } : {}) });
      if (fresh && !template) await savePgliteTemplate(db);
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

  async transaction<T>(fn: (tx: ServingTransaction) => Promise<T>): Promise<T> {
    try {
      return await this.#db.transaction(async (t) => {
        const tx: ServingTransaction = {
          exec: async (sql) => {
            try {
              await t.exec(sql);
            } catch (error) {
              throw this.#wrap('statement failed on', error);
            }
          },
          query: async <R>(sql: string, params?: unknown[]) => {
            try {
              return (await t.query<R>(sql, params)).rows;
            } catch (error) {
              throw this.#wrap('query failed on', error);
            }
          },
          copyFrom: async (copySql, source) => {
            // PGlite reads COPY input from one in-memory blob: fine for serving-sized tables.
            const chunks: Buffer[] = [];
            for await (const chunk of source) chunks.push(chunk as Buffer);
            const blob = new Blob(chunks as unknown as BlobPart[]);
            chunks.length = 0;
            try {
              const result = await t.query(copySql.replace(/ FROM STDIN /, " FROM '/dev/blob' "), [], {
                blob,
              });
              return result.affectedRows ?? 0;
            } catch (error) {
              throw this.#wrap('COPY failed on', error);
            }
          },
        };
        return await fn(tx);
      });
    } catch (error) {
      // Errors of PostgreSQL itself (they carry a severity) are named by the database; others pass.
      if (!(error instanceof Error) || !('severity' in error) || error instanceof ServingError) throw error;
      throw this.#wrap('transaction failed on', error);
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
