import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { redactUrl } from '../../layers/index.js';
import { reason, ServingError } from './errors.js';
import { checkRowCount, copyFromSql, deleteAllSql, TEXT_TYPE_OIDS } from './target-sql.js';
import type { ServingTarget } from './types.js';

const asText = (value: string): string => value;

/** `pg` parsers: the types of TEXT_TYPE_OIDS as text, the rest as `pg` parses them by default. */
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    TEXT_TYPE_OIDS.includes(oid) ? asText : pg.types.getTypeParser(oid, format),
} as pg.CustomTypesConfig;

/** The secrets a connection URL may carry, to scrub them from error messages. */
function secretsOf(url: string): string[] {
  if (!URL.canParse(url)) return [];
  const u = new URL(url);
  return [decodeURIComponent(u.password), u.password, u.searchParams.get('password') ?? ''].filter((s) => s);
}

/** Serving target on a PostgreSQL server, through one `pg` connection; calls run one at a time. */
export class PostgresTarget implements ServingTarget {
  readonly #client: pg.Client;
  readonly #secrets: string[];
  #tail: Promise<unknown> = Promise.resolve();
  #lost: Error | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(
    readonly description: string,
    client: pg.Client,
    secrets: string[],
  ) {
    this.#client = client;
    this.#secrets = secrets;
  }

  /** Connect to `databaseUrl` (postgres://...). Errors name the URL with its password masked. */
  static async connect(databaseUrl: string): Promise<PostgresTarget> {
    const description = redactUrl(databaseUrl);
    if (!URL.canParse(databaseUrl)) throw new ServingError(`invalid database URL ${description}`);
    const client = new pg.Client({
      connectionString: databaseUrl,
      types,
      application_name: 'marketlake-serve',
      connectionTimeoutMillis: 30_000,
    });
    const target = new PostgresTarget(description, client, secretsOf(databaseUrl));
    client.on('error', (error) => {
      target.#lost = error;
    });
    try {
      await client.connect();
      // Timestamps come back as text in UTC, like everywhere in the lake.
      await client.query("SET TimeZone = 'UTC'");
    } catch (error) {
      await client.end().catch(() => undefined);
      throw target.#wrap('cannot connect to', error);
    }
    return target;
  }

  exec(sql: string): Promise<void> {
    return this.#serial(async () => {
      try {
        await this.#client.query(sql);
      } catch (error) {
        throw this.#wrap('statement failed on', error);
      }
    });
  }

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.#serial(async () => {
      try {
        const result = await this.#client.query(sql, params);
        return result.rows as T[];
      } catch (error) {
        throw this.#wrap('query failed on', error);
      }
    });
  }

  replaceFromCsv(
    schema: string,
    table: string,
    columns: string[],
    csvPath: string,
    expectedRows?: number,
  ): Promise<number> {
    const copy = copyFromSql(schema, table, columns, 'STDIN');
    return this.#serial(async () => {
      const client = this.#client;
      try {
        await client.query('BEGIN');
        await client.query(deleteAllSql(schema, table));
        const sink = client.query(copyFrom(copy));
        await pipeline(createReadStream(csvPath), sink);
        checkRowCount(schema, table, sink.rowCount, expectedRows);
        await client.query('COMMIT');
        return sink.rowCount;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (error instanceof ServingError) throw error;
        throw this.#wrap(`cannot load ${schema}.${table} into`, error);
      }
    });
  }

  close(): Promise<void> {
    // Queued calls finish first; calls after close fail.
    this.#closing ??= this.#tail.then(() => {
      this.#closed = true;
      return this.#client.end().catch(() => undefined);
    });
    this.#tail = this.#closing;
    return this.#closing;
  }

  /** Run calls one after another: a transaction must not interleave with other statements. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(() => {
      if (this.#closed) throw new ServingError(`${this.description} is closed`, { permanent: true });
      if (this.#lost) throw this.#wrap('lost the connection to', this.#lost);
      return fn();
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #wrap(action: string, error: unknown): ServingError {
    let message = reason(error);
    for (const secret of this.#secrets) message = message.split(secret).join('***');
    return new ServingError(`${action} ${this.description}: ${message}`, { cause: error });
  }
}
