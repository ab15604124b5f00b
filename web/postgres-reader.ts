import pg from 'pg';
import { readSqlFile } from '../layers/index.js';
import { type Row, SqlGoldReader, type SqlParams } from './gold-reader.js';

/**
 * The `$name` parameters of a sql/api file as PostgreSQL's `$1..$n`, so both dialects' files read
 * alike. Returns the statement text and the order of the names.
 */
export function positionalSql(sql: string): { text: string; names: string[] } {
  const names: string[] = [];
  const text = sql.replace(/\$([a-z_][a-z0-9_]*)/g, (_, name: string) => {
    let i = names.indexOf(name);
    if (i < 0) i = names.push(name) - 1;
    return `$${i + 1}`;
  });
  return { text, names };
}

const prepared = new Map<string, { text: string; names: string[] }>();

/** Gold read from the serving PostgreSQL (schema `gold`, loaded by `marketlake serve`). */
export class PostgresReader extends SqlGoldReader {
  readonly source = 'postgres';
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string, options: { max?: number } = {}) {
    super();
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: options.max ?? 10 });
    // An idle client that loses its connection must not crash the server; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  protected async query(file: string, params: SqlParams): Promise<Row[]> {
    let statement = prepared.get(file);
    if (!statement) {
      statement = positionalSql(readSqlFile(`api/postgres/${file}.sql`));
      prepared.set(file, statement);
    }
    const values = statement.names.map((n) => params[n]);
    // A named statement is parsed and planned once per connection.
    const result = await this.pool.query({ name: `marketlake_api_${file}`, text: statement.text, values });
    return result.rows as Row[];
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
