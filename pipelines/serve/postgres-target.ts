import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { isTransient, redactUrl } from '../../layers/index.js';
import { type RetryOptions, withRetry } from '../../layers/retry.js';
import { reason, ServingError } from './errors.js';
import { TEXT_TYPE_OIDS } from './target-sql.js';
import type { ServingTarget, ServingTransaction } from './types.js';

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

/**
 * Serving target on a PostgreSQL server, through one `pg` connection; calls run one at a time.
 * A connection lost mid-call (a server restart, a dropped socket) is replaced and the call run
 * again, with backoff, for MARKETLAKE_RETRY_SECONDS (30 s): every call is safe to repeat (DDL is
 * `IF NOT EXISTS`, a table is replaced in one transaction that rolls back with the connection).
 * The first connection is not retried: a wrong URL or a server that is down fails at once (as a
 * transient ServingError, so a scheduled task retries it later).
 */
export class PostgresTarget implements ServingTarget {
  readonly #url: string;
  readonly #secrets: string[];
  readonly #retry: RetryOptions;
  /** The live connection; undefined after it was lost (the next call opens another). */
  #client: pg.Client | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(
    readonly description: string,
    url: string,
    secrets: string[],
    retry: RetryOptions,
  ) {
    this.#url = url;
    this.#secrets = secrets;
    this.#retry = retry;
  }

  /** Connect to `databaseUrl` (postgres://...). Errors name the URL with its password masked. */
  static async connect(databaseUrl: string, options: { retry?: RetryOptions } = {}): Promise<PostgresTarget> {
    const description = redactUrl(databaseUrl);
    if (!URL.canParse(databaseUrl)) throw new ServingError(`invalid database URL ${description}`);
    const target = new PostgresTarget(description, databaseUrl, secretsOf(databaseUrl), options.retry ?? {});
    target.#client = await target.#open();
    return target;
  }

  /** A new connection, in UTC. */
  async #open(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.#url,
      types,
      application_name: 'marketlake-serve',
      connectionTimeoutMillis: 30_000,
    });
    client.on('error', () => {
      // The server went away between calls: the next call opens a new connection.
      if (this.#client === client) this.#client = undefined;
    });
    try {
      await client.connect();
      // Timestamps come back as text in UTC, like everywhere in the lake.
      await client.query("SET TimeZone = 'UTC'");
    } catch (error) {
      await client.end().catch(() => undefined);
      throw this.#wrap('cannot connect to', error);
    }
    return client;
  }

  exec(sql: string): Promise<void> {
    return this.#serial(async (client) => {
      try {
        await client.query(sql);
      } catch (error) {
        throw this.#wrap('statement failed on', error);
      }
    });
  }

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.#serial(async (client) => {
      try {
        const result = await client.query(sql, params);
        return result.rows as T[];
      } catch (error) {
        throw this.#wrap('query failed on', error);
      }
    });
  }

  transaction<T>(fn: (tx: ServingTransaction) => Promise<T>): Promise<T> {
    return this.#serial(async (client) => {
      const tx: ServingTransaction = {
        exec: async (sql) => {
          try {
            await client.query(sql);
          } catch (error) {
            throw this.#wrap('statement failed on', error);
          }
        },
        query: async <R>(sql: string, params?: unknown[]) => {
          try {
            return (await client.query(sql, params)).rows as R[];
          } catch (error) {
            throw this.#wrap('query failed on', error);
          }
        },
        copyFrom: async (copySql, source) => {
          const sink = client.query(copyFrom(copySql));
          try {
            await pipeline(source, sink);
          } catch (error) {
            throw this.#wrap('COPY failed on', error);
          }
          return sink.rowCount;
        },
      };
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (error instanceof ServingError || !(error instanceof Error && 'code' in error)) throw error;
        throw this.#wrap('transaction failed on', error);
      }
    });
  }

  close(): Promise<void> {
    // Queued calls finish first; calls after close fail.
    this.#closing ??= this.#tail.then(() => {
      this.#closed = true;
      const client = this.#client;
      this.#client = undefined;
      return client?.end().catch(() => undefined);
    });
    this.#tail = this.#closing;
    return this.#closing;
  }

  /**
   * Run calls one after another (a transaction must not interleave with other statements), each
   * on a live connection: when it fails because the connection was lost, the connection is
   * dropped and the call runs again on a new one, with backoff.
   */
  #serial<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const run = this.#tail.then(() =>
      withRetry(async () => {
        if (this.#closed) throw new ServingError(`${this.description} is closed`, { permanent: true });
        this.#client ??= await this.#open();
        const client = this.#client;
        try {
          return await fn(client);
        } catch (error) {
          if (isTransient(error) && this.#client === client) {
            this.#client = undefined;
            await client.end().catch(() => undefined);
          }
          throw error;
        }
      }, this.#retry),
    );
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #wrap(action: string, error: unknown): ServingError {
    let message = reason(error);
    for (const secret of this.#secrets) message = message.split(secret).join('***');
    return new ServingError(`${action} ${this.description}: ${message}`, { cause: error });
  }
}
