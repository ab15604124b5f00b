import type { Readable } from 'node:stream';

/** Statements inside one transaction of a serving target (see ServingTarget.transaction). */
export interface ServingTransaction {
  /** Run one or more statements (DDL), without parameters. */
  exec(sql: string): Promise<void>;
  /** Run one statement with `$1`-style parameters and return its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Run `COPY ... FROM STDIN` (`copySql`, built by copyFromSql) fed by `source`; returns the rows
   * loaded. PostgreSQL streams it through pg-copy-streams; PGlite gathers it in memory first.
   */
  copyFrom(copySql: string, source: Readable): Promise<number>;
}

/**
 * A PostgreSQL database the gold tables are served from: a real server or an embedded PGlite.
 * Query results are JSON-safe and the same for both: BIGINT, NUMERIC, DATE and timestamps come back as
 * PostgreSQL text (timestamps in UTC, e.g. `2024-01-02 14:30:00.123456+00`), other types as `pg` parses them.
 */
export interface ServingTarget {
  /** Safe to print: `PGlite at <dir>` or the URL with its password masked. */
  readonly description: string;
  /** Run one or more statements (DDL), without parameters. */
  exec(sql: string): Promise<void>;
  /** Run one statement with `$1`-style parameters and return its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Run `fn` in one transaction: committed when it returns, rolled back when it throws. On a real
   * server a lost connection (restart) rolls back and `fn` runs again from the start on a new one,
   * with backoff, so `fn` must be safe to repeat (it is called with a fresh transaction each time).
   */
  transaction<T>(fn: (tx: ServingTransaction) => Promise<T>): Promise<T>;
  /** Close the connection (idempotent). */
  close(): Promise<void>;
}
