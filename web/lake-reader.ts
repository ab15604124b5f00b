import { type Lake, LakeSession, readSqlFile } from '../layers/index.js';
import {
  EPOCH,
  type Row,
  rangeParams,
  type SilverReader,
  SqlGoldReader,
  type SqlParams,
  type TradesQuery,
} from './gold-reader.js';

export interface LakeReaderOptions {
  /** DuckDB sessions queried side by side (each runs one statement at a time). Default 2. */
  sessions?: number;
  /** Re-pin the views to the catalog's newest snapshots at most this often (ms). Default 2000. */
  refreshMs?: number;
  threads?: number;
}

/** One read-only session and the chain of statements waiting for it. */
class PooledSession {
  private tail: Promise<unknown> = Promise.resolve();
  private refreshedAt = Date.now();
  pending = 0;

  constructor(
    readonly session: LakeSession,
    private readonly refreshMs: number,
  ) {}

  run<T>(work: (session: LakeSession) => Promise<T>): Promise<T> {
    this.pending++;
    const next = this.tail.then(async () => {
      if (Date.now() - this.refreshedAt >= this.refreshMs) {
        // New commits (a stream's micro-batches, a finished run) become visible here.
        await this.session.attachTables();
        this.refreshedAt = Date.now();
      }
      return work(this.session);
    });
    this.tail = next.catch(() => undefined);
    return next.finally(() => {
      this.pending--;
    });
  }
}

/**
 * Gold and silver read from the lake through DuckDB: 'service' sessions (external access off,
 * settings locked, only the lake's folders readable), each view pinned to a catalog snapshot and
 * re-pinned every `refreshMs`. Statements go to the least busy session.
 */
export class LakeReader extends SqlGoldReader implements SilverReader {
  readonly source = 'lake';

  private constructor(private readonly pool: PooledSession[]) {
    super();
  }

  static async open(lake: Lake, options: LakeReaderOptions = {}): Promise<LakeReader> {
    const count = Math.max(1, options.sessions ?? 2);
    const pool: PooledSession[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const session = await LakeSession.open(lake, {
          access: 'service',
          ...(options.threads ? { threads: options.threads } : {}),
        });
        pool.push(new PooledSession(session, options.refreshMs ?? 2_000));
      }
    } catch (err) {
      for (const p of pool) p.session.close();
      throw err;
    }
    return new LakeReader(pool);
  }

  protected async query(file: string, params: SqlParams): Promise<Row[]> {
    const sql = readSqlFile(`api/duckdb/${file}.sql`);
    const target = this.pool.reduce((a, b) => (b.pending < a.pending ? b : a));
    try {
      return await target.run((session) => session.all<Row>(sql, params));
    } catch (err) {
      // A lake whose pipeline has not built this table yet has no rows of it (not a server error).
      if (/Catalog Error: Table with name \w+ does not exist/.test(String((err as Error).message))) return [];
      throw err;
    }
  }

  trades(q: TradesQuery): Promise<Row[]> {
    const range = rangeParams(q);
    return this.query('trades', {
      symbol: q.symbol,
      from_at: range.from_at,
      to_at: range.to_at,
      after_at: q.afterAt ?? EPOCH,
      after_id: q.afterId ?? '',
      row_limit: q.limit,
    });
  }

  async latestQuote(symbol: string): Promise<Row | undefined> {
    const rows = await this.query('quote_latest', { symbol });
    return rows[0];
  }

  posts(symbol: string, limit: number): Promise<Row[]> {
    return this.query('posts', { symbol, row_limit: limit });
  }

  async close(): Promise<void> {
    for (const p of this.pool) {
      await p.run(async () => undefined).catch(() => undefined);
      p.session.close();
    }
  }
}
