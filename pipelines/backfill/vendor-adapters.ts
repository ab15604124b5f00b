import type { IngestFlags } from '../ingest.js';
import type { VendorFetcher, VendorName } from './vendor-http.js';

/** Datasets and bar intervals the vendor adapters fetch. */
export const BACKFILL_DATASETS = ['trades', 'bars'] as const;
export type BackfillDataset = (typeof BACKFILL_DATASETS)[number];
export const BACKFILL_INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
export type BackfillInterval = (typeof BACKFILL_INTERVALS)[number];

/** One request series: a symbol's trades or bars over `[from, to]` (UTC days, both included). */
export interface FetchUnit {
  source: VendorName;
  dataset: BackfillDataset;
  symbol: string;
  from: string;
  to: string;
  interval?: BackfillInterval;
  /** Exact bounds (ISO UTC, end exclusive) inside the days, for a gap of a live feed. */
  startAt?: string;
  endAt?: string;
}

/** The unit's time range in epoch ms, end exclusive: its days, or its exact bounds. */
export function unitRangeMs(unit: FetchUnit): [number, number] {
  return [
    unit.startAt ? Date.parse(unit.startAt) : Date.parse(`${unit.from}T00:00:00Z`),
    unit.endAt ? Date.parse(unit.endAt) : Date.parse(`${unit.to}T00:00:00Z`) + 86_400_000,
  ];
}

/**
 * How one vendor's history is fetched and handed to ingestion: `lines` turns each page into lines
 * of a spool file whose name ends in `extension`, which `ingestFile` then reads with `flags`, the
 * same adapter and contracts as a file of that vendor dropped on disk.
 */
export interface VendorAdapter {
  readonly vendor: VendorName;
  readonly datasets: readonly BackfillDataset[];
  /** Pages of the unit, each as its exact body text (and parsed). */
  pages(client: VendorFetcher, unit: FetchUnit): AsyncGenerator<{ text: string; json: unknown }>;
  lines(page: { text: string; json: unknown }, unit: FetchUnit): string[];
  extension(unit: FetchUnit): string;
  flags(unit: FetchUnit): IngestFlags;
}

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** A JSON body on one line: raw newlines only sit between tokens in valid JSON. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const ALPACA_TIMEFRAMES: Record<BackfillInterval, string> = {
  '1m': '1Min',
  '5m': '5Min',
  '15m': '15Min',
  '1h': '1Hour',
  '1d': '1Day',
};

/** Alpaca market data v2 (`/v2/stocks/trades`, `/v2/stocks/bars`), `page_token` paging. */
export function alpacaAdapter(options: { feed?: string; limit?: number } = {}): VendorAdapter {
  const feed = options.feed ?? 'iex';
  return {
    vendor: 'alpaca',
    datasets: ['trades', 'bars'],
    async *pages(client, unit) {
      let token: string | undefined;
      do {
        const url = client.url(unit.dataset === 'trades' ? '/v2/stocks/trades' : '/v2/stocks/bars', {
          symbols: unit.symbol,
          start: iso(unitRangeMs(unit)[0]),
          end: iso(unitRangeMs(unit)[1]),
          limit: options.limit ?? 10_000,
          feed,
          timeframe: unit.dataset === 'bars' ? ALPACA_TIMEFRAMES[unit.interval ?? '1d'] : undefined,
          adjustment: unit.dataset === 'bars' ? 'raw' : undefined,
          sort: 'asc',
          page_token: token,
        });
        const page = await client.getJson(url);
        yield page;
        const next = isObj(page.json) ? page.json.next_page_token : undefined;
        token = typeof next === 'string' && next !== '' ? next : undefined;
      } while (token);
    },
    lines: (page) => [oneLine(page.text)],
    extension: () => 'jsonl',
    flags: (unit) => ({
      format: 'alpaca',
      symbol: unit.symbol,
      ...(unit.dataset === 'bars' ? { map: `interval='${unit.interval ?? '1d'}'` } : {}),
    }),
  };
}

const POLYGON_SPANS: Record<BackfillInterval, [number, string]> = {
  '1m': [1, 'minute'],
  '5m': [5, 'minute'],
  '15m': [15, 'minute'],
  '1h': [1, 'hour'],
  '1d': [1, 'day'],
};

/** Polygon: v3 trades (`next_url` paging, nanosecond times kept exact) and v2 aggregates. */
export function polygonAdapter(options: { limit?: number } = {}): VendorAdapter {
  return {
    vendor: 'polygon',
    datasets: ['trades', 'bars'],
    async *pages(client, unit) {
      const sym = encodeURIComponent(unit.symbol);
      let url: string | undefined;
      if (unit.dataset === 'trades') {
        url = client.url(`/v3/trades/${sym}`, {
          'timestamp.gte': iso(unitRangeMs(unit)[0]),
          'timestamp.lt': iso(unitRangeMs(unit)[1]),
          order: 'asc',
          sort: 'timestamp',
          limit: options.limit ?? 50_000,
        });
      } else {
        const [mult, span] = POLYGON_SPANS[unit.interval ?? '1d'];
        url = client.url(`/v2/aggs/ticker/${sym}/range/${mult}/${span}/${unit.from}/${unit.to}`, {
          adjusted: 'false',
          sort: 'asc',
          limit: options.limit ?? 50_000,
        });
      }
      while (url) {
        const page = await client.getJson(url);
        yield page;
        const next = isObj(page.json) ? page.json.next_url : undefined;
        url = typeof next === 'string' && next !== '' ? next : undefined;
      }
    },
    lines(page, unit) {
      if (unit.dataset === 'trades') return [oneLine(page.text)];
      // Aggregates: one result per line for the generic JSON Lines mapping (ms epochs, plain floats).
      const results = isObj(page.json) && Array.isArray(page.json.results) ? page.json.results : [];
      return results.map((r) => JSON.stringify(r));
    },
    extension: () => 'jsonl',
    flags: (unit) =>
      unit.dataset === 'trades'
        ? { format: 'polygon-trades', symbol: unit.symbol }
        : {
            format: 'jsonl',
            timeUnit: 'ms',
            map: `symbol='${unit.symbol}',interval='${unit.interval ?? '1d'}',bar_start_at=t,open=o,high=h,low=l,close=c,volume=v,vwap=vw,trade_count=n,source='polygon'`,
          },
  };
}

const BINANCE_INTERVAL_MS: Record<BackfillInterval, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '1d': DAY_MS,
};

/**
 * Binance spot: klines and aggTrades by `startTime`/`endTime`/`limit` windows. aggTrades windows
 * are one hour (Binance refuses longer ones with both bounds); a full page continues from its
 * last trade's time, dropping ids already seen.
 */
export function binanceAdapter(options: { limit?: number } = {}): VendorAdapter {
  const limit = options.limit ?? 1000;
  return {
    vendor: 'binance',
    datasets: ['trades', 'bars'],
    async *pages(client, unit) {
      const [first, endExclusive] = unitRangeMs(unit);
      const end = endExclusive - 1;
      if (unit.dataset === 'bars') {
        const interval = unit.interval ?? '1m';
        let start = first;
        while (start <= end) {
          const page = await client.getJson(
            client.url('/api/v3/klines', {
              symbol: unit.symbol,
              interval,
              startTime: start,
              endTime: end,
              limit,
            }),
          );
          yield page;
          const rows = Array.isArray(page.json) ? page.json : [];
          const last = rows.at(-1);
          if (rows.length < limit || !Array.isArray(last)) break;
          start = Number(last[0]) + BINANCE_INTERVAL_MS[interval];
        }
        return;
      }
      let lastId = -1;
      for (let hour = first; hour <= end; hour += 3_600_000) {
        let start = hour;
        const hourEnd = Math.min(hour + 3_600_000 - 1, end);
        for (;;) {
          const page = await client.getJson(
            client.url('/api/v3/aggTrades', {
              symbol: unit.symbol,
              startTime: start,
              endTime: hourEnd,
              limit,
            }),
          );
          const rows = Array.isArray(page.json) ? page.json : [];
          const fresh = rows.filter((r) => isObj(r) && Number(r.a) > lastId);
          if (fresh.length) yield { text: JSON.stringify(fresh), json: fresh };
          const last = rows.at(-1);
          if (isObj(last)) lastId = Math.max(lastId, Number(last.a));
          if (rows.length < limit || !isObj(last)) break;
          start = Number(last.T);
        }
      }
    },
    lines(page, unit) {
      if (unit.dataset === 'trades') return [oneLine(page.text)];
      // data.binance.vision's kline CSV has the REST array's columns in the same order.
      const rows = Array.isArray(page.json) ? page.json : [];
      return rows.filter(Array.isArray).map((k) => k.join(','));
    },
    extension: (unit) => (unit.dataset === 'trades' ? 'jsonl' : 'csv'),
    flags: (unit) => ({
      format: unit.dataset === 'trades' ? 'binance-aggtrades' : 'binance-klines',
      symbol: unit.symbol,
      ...(unit.dataset === 'bars' && (unit.interval ?? '1m') !== '1m'
        ? { map: `interval='${unit.interval}'` }
        : {}),
    }),
  };
}

/** The adapter of each vendor, with its default options. */
export function vendorAdapter(vendor: VendorName, options: { alpacaFeed?: string } = {}): VendorAdapter {
  switch (vendor) {
    case 'alpaca':
      return alpacaAdapter(options.alpacaFeed ? { feed: options.alpacaFeed } : {});
    case 'polygon':
      return polygonAdapter();
    case 'binance':
      return binanceAdapter();
  }
}
