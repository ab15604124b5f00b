/**
 * What the API reads. Two implementations: the lake through DuckDB (lake-reader.ts, read-only
 * 'service' sessions) and the serving PostgreSQL (postgres-reader.ts, schema `gold`). Every query is
 * a `.sql` file under sql/api/ with bound parameters; nothing from a request becomes SQL text.
 */

export type Row = Record<string, unknown>;

/** A range of bars or trades: session dates (inclusive) and/or instants (from inclusive, to exclusive). */
export interface TimeRange {
  fromDate?: string;
  toDate?: string;
  fromAt?: string;
  toAt?: string;
}

export interface BarsQuery extends TimeRange {
  symbol: string;
  interval: string;
  /** Only bars that start strictly after this instant (the cursor). */
  afterAt?: string;
  limit: number;
}

export interface TradesQuery extends TimeRange {
  symbol: string;
  afterAt?: string;
  afterId?: string;
  limit: number;
}

export interface AlertsQuery {
  symbol?: string;
  rule?: string;
  since?: string;
  limit: number;
}

/** One page of bars as a JSON array built by the database, with what pagination needs. */
export interface BarsPage {
  dataJson: string;
  count: number;
  hasMore: boolean;
  /** bar_start_at of the page's last bar (the next cursor). */
  lastBarStartAt: string | null;
}

/** The single row of sql/api/<dialect>/bars_page.sql as a BarsPage. */
export function barsPageOf(row: Row | undefined): BarsPage {
  return {
    dataJson: typeof row?.data_json === 'string' ? row.data_json : '[]',
    count: Number(row?.row_count ?? 0),
    hasMore: row?.has_more === true,
    lastBarStartAt: typeof row?.last_bar_start_at === 'string' ? row.last_bar_start_at : null,
  };
}

export interface GoldReader {
  /** 'lake' or 'postgres': where gold is read from (shown by the API and the page). */
  readonly source: string;
  symbols(currentOnly: boolean): Promise<Row[]>;
  /** One page of bars (at most `query.limit`), oldest first. */
  bars(query: BarsQuery): Promise<BarsPage>;
  alerts(query: AlertsQuery): Promise<Row[]>;
  marketSummary(sessionDate: string | undefined): Promise<Row[]>;
  close(): Promise<void>;
}

/** Parameters of one sql/api statement, by name. */
export type SqlParams = Record<string, string | number | boolean>;

/**
 * The gold reads, the same for both dialects: each runs the statement of the same name in
 * sql/api/<dialect>/; a subclass says how a statement is run.
 */
export abstract class SqlGoldReader implements GoldReader {
  abstract readonly source: string;
  protected abstract query(file: string, params: SqlParams): Promise<Row[]>;
  abstract close(): Promise<void>;

  symbols(currentOnly: boolean): Promise<Row[]> {
    return this.query('symbols', { current_only: currentOnly });
  }

  async bars(q: BarsQuery): Promise<BarsPage> {
    return barsPageOf((await this.query('bars_page', barsParams(q)))[0]);
  }

  alerts(q: AlertsQuery): Promise<Row[]> {
    return this.query('alerts', alertsParams(q));
  }

  marketSummary(sessionDate: string | undefined): Promise<Row[]> {
    return this.query('market_summary', { session_date: sessionDate ?? '' });
  }
}

/** Reads that only the lake can answer (silver: trades, quotes, posts), whatever serves gold. */
export interface SilverReader {
  trades(query: TradesQuery): Promise<Row[]>;
  latestQuote(symbol: string): Promise<Row | undefined>;
  posts(symbol: string, limit: number): Promise<Row[]>;
}

/** The parameters shared by both dialects' bars query: unused bounds become wide sentinels. */
export function barsParams(q: BarsQuery): Record<string, string | number> {
  return {
    symbol: q.symbol,
    bar_interval: q.interval,
    ...rangeParams(q),
    after_at: q.afterAt ?? EPOCH,
    row_limit: q.limit,
  };
}

export function alertsParams(q: AlertsQuery): Record<string, string | number> {
  return { symbol: q.symbol ?? '', rule: q.rule ?? '', since: q.since ?? EPOCH, row_limit: q.limit };
}

export function rangeParams(q: TimeRange): {
  from_date: string;
  to_date: string;
  from_at: string;
  to_at: string;
} {
  return {
    from_date: q.fromDate ?? '0001-01-01',
    to_date: q.toDate ?? '9999-12-31',
    from_at: q.fromAt ?? EPOCH,
    to_at: q.toAt ?? '9999-12-31T00:00:00Z',
  };
}

export const EPOCH = '1970-01-01T00:00:00Z';
