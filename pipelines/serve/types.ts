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
   * In one transaction: delete every row of `schema.table` and COPY the CSV file (with a header line) into
   * the named columns; returns the rows loaded. Readers see the old rows or the new, never none.
   * With `expectedRows`, a different count rolls the transaction back and throws.
   */
  replaceFromCsv(
    schema: string,
    table: string,
    columns: string[],
    csvPath: string,
    expectedRows?: number,
  ): Promise<number>;
  /** Close the connection (idempotent). */
  close(): Promise<void>;
}
