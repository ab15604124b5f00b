import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the vendors' history APIs, serving their documented response shapes (the
 * ones in ../shared/data/vendor-wire-fixtures) over generated, deterministic data:
 * Alpaca `/v2/stocks/trades|bars` (page_token), Polygon `/v3/trades/{t}` (next_url) and
 * `/v2/aggs/ticker/...` (next_url), Binance `/api/v3/klines` and `/api/v3/aggTrades` (time
 * windows). Faults on demand: a request budget per window answered with 429 + Retry-After, 500s,
 * truncated bodies. Every request is logged, so tests can count them per window.
 */
export interface VendorServerOptions {
  /** Trades per symbol per weekday (default 50). */
  tradesPerDay?: number;
  /** Alpaca keys the server insists on (401 without them). */
  alpacaKeys?: { id: string; secret: string };
  /** Polygon key expected as `Authorization: Bearer`. */
  polygonKey?: string;
}

export interface VendorFaults {
  /** At most `max` requests per fixed window of `windowMs`; more get 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit?: { max: number; windowMs: number; retryAfterSeconds: number };
  /** The next N requests get a 500. */
  fail500?: number;
  /** The next N requests get half of their body and a dropped connection. */
  truncate?: number;
  /** Requests it picks get a 500, always (a day that cannot be fetched). */
  alwaysFail?: (path: string, query: Record<string, string>) => boolean;
}

export interface LoggedRequest {
  at: number;
  path: string;
  query: Record<string, string>;
  status: number;
  headers: Record<string, string | undefined>;
}

export interface VendorServer {
  url: string;
  faults: VendorFaults;
  log: LoggedRequest[];
  close(): Promise<void>;
}

const DAY = 86_400_000;
const OPEN = 14.5 * 3_600_000; // 14:30 UTC
const SESSION = 6.5 * 3_600_000;

function seedOf(symbol: string): number {
  let h = 7;
  for (const c of symbol) h = (h * 31 + c.charCodeAt(0)) % 9973;
  return h;
}

interface Trade {
  ms: number;
  /** Nanoseconds since the epoch, exact (beyond 2^53). */
  ns: bigint;
  price: number;
  size: number;
  id: number;
}

function isWeekday(ms: number): boolean {
  const d = new Date(ms).getUTCDay();
  return d !== 0 && d !== 6;
}

function tradesBetween(symbol: string, fromMs: number, toMs: number, perDay: number): Trade[] {
  const out: Trade[] = [];
  const seed = seedOf(symbol);
  for (let day = Math.floor(fromMs / DAY) * DAY; day < toMs; day += DAY) {
    if (!isWeekday(day)) continue;
    const dayIndex = Math.floor(day / DAY);
    for (let i = 0; i < perDay; i++) {
      const ms = day + OPEN + Math.floor((i * SESSION) / perDay);
      if (ms < fromMs || ms >= toMs) continue;
      const ns = BigInt(ms) * 1_000_000n + BigInt((i * 7919) % 1_000_000);
      const price = Math.round((50 + seed / 100 + ((dayIndex + i) % 37) / 10) * 100) / 100;
      out.push({ ms, ns, price, size: 1 + ((i * 13 + seed) % 400), id: dayIndex * 100_000 + i });
    }
  }
  return out;
}

interface Bar {
  ms: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

function barsBetween(symbol: string, fromMs: number, toMs: number, stepMs: number): Bar[] {
  const out: Bar[] = [];
  const seed = seedOf(symbol);
  for (let t = Math.ceil(fromMs / stepMs) * stepMs; t < toMs; t += stepMs) {
    if (stepMs >= DAY && !isWeekday(t)) continue;
    const k = Math.floor(t / stepMs);
    const o = Math.round((40 + seed / 50 + (k % 53) / 4) * 100) / 100;
    const c = Math.round((o + ((k % 7) - 3) / 10) * 100) / 100;
    out.push({
      ms: t,
      o,
      h: Math.max(o, c) + 0.5,
      l: Math.min(o, c) - 0.5,
      c,
      v: 1000 + (k % 997),
      n: 10 + (k % 89),
      vw: (o + c) / 2,
    });
  }
  return out;
}

const STEP: Record<string, number> = {
  '1Min': 60_000,
  '5Min': 300_000,
  '15Min': 900_000,
  '1Hour': 3_600_000,
  '1Day': DAY,
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '1d': DAY,
  minute: 60_000,
  hour: 3_600_000,
  day: DAY,
};

const b64 = (n: number) => Buffer.from(String(n)).toString('base64');
const unb64 = (s: string | undefined) => (s ? Number(Buffer.from(s, 'base64').toString()) : 0);

function page<T>(rows: T[], offset: number, limit: number): { rows: T[]; next: number | undefined } {
  const slice = rows.slice(offset, offset + limit);
  return { rows: slice, next: offset + limit < rows.length ? offset + limit : undefined };
}

/** Start the server on a free loopback port. */
export async function startVendorServer(options: VendorServerOptions = {}): Promise<VendorServer> {
  const perDay = options.tradesPerDay ?? 50;
  const faults: VendorFaults = {};
  const log: LoggedRequest[] = [];
  let windowStart = 0;
  let windowCount = 0;

  const route = (
    req: IncomingMessage,
    url: URL,
  ): { status: number; body: string; headers?: Record<string, string> } => {
    const q = Object.fromEntries(url.searchParams);
    const path = url.pathname;
    const limit = Number(q.limit ?? 1000);
    if (path === '/v2/stocks/trades' || path === '/v2/stocks/bars') {
      const keys = options.alpacaKeys;
      if (
        keys &&
        (req.headers['apca-api-key-id'] !== keys.id || req.headers['apca-api-secret-key'] !== keys.secret)
      )
        return { status: 401, body: '{"message":"unauthorized."}' };
      const symbol = q.symbols ?? '';
      const from = Date.parse(q.start ?? '');
      const to = Date.parse(q.end ?? '');
      const offset = unb64(q.page_token);
      if (path.endsWith('trades')) {
        const all = tradesBetween(symbol, from, to, perDay);
        const p = page(all, offset, limit);
        const trades = p.rows.map((t) => ({
          t: `${new Date(t.ms).toISOString().slice(0, 19)}.${String(t.ns % 1_000_000_000n).padStart(9, '0')}Z`,
          x: 'V',
          p: t.price,
          s: t.size,
          c: ['@'],
          i: t.id,
          z: 'C',
        }));
        return {
          status: 200,
          body: JSON.stringify({
            trades: trades.length ? { [symbol]: trades } : {},
            next_page_token: p.next === undefined ? null : b64(p.next),
          }),
        };
      }
      const step = STEP[q.timeframe ?? '1Day'] ?? DAY;
      const p = page(barsBetween(symbol, from, to, step), offset, limit);
      const bars = p.rows.map((b) => ({
        t: new Date(b.ms).toISOString().replace('.000', ''),
        o: b.o,
        h: b.h,
        l: b.l,
        c: b.c,
        v: b.v,
        n: b.n,
        vw: b.vw,
      }));
      return {
        status: 200,
        body: JSON.stringify({
          bars: bars.length ? { [symbol]: bars } : {},
          next_page_token: p.next === undefined ? null : b64(p.next),
        }),
      };
    }
    if (path.startsWith('/v3/trades/') || path.startsWith('/v2/aggs/ticker/')) {
      if (options.polygonKey && req.headers.authorization !== `Bearer ${options.polygonKey}`)
        return { status: 401, body: '{"status":"ERROR","error":"unknown API key"}' };
      const offset = unb64(q.cursor);
      const nextUrl = (next: number | undefined) => {
        if (next === undefined) return undefined;
        const u = new URL(url.toString());
        u.searchParams.set('cursor', b64(next));
        return u.toString();
      };
      if (path.startsWith('/v3/trades/')) {
        const symbol = decodeURIComponent(path.slice('/v3/trades/'.length));
        const all = tradesBetween(
          symbol,
          Date.parse(q['timestamp.gte'] ?? ''),
          Date.parse(q['timestamp.lt'] ?? ''),
          perDay,
        );
        const p = page(all, offset, limit);
        // Written by hand: nanosecond epochs must stay exact integers beyond 2^53.
        const rows = p.rows.map(
          (t) =>
            `{"conditions":[12,37],"exchange":11,"id":"${t.id}","participant_timestamp":${t.ns - 1000n},"price":${t.price},"sequence_number":${t.id},"sip_timestamp":${t.ns},"size":${t.size},"tape":3}`,
        );
        const next = nextUrl(p.next);
        return {
          status: 200,
          body: `{\n  "results": [${rows.join(',\n')}],\n  "status": "OK",\n  "request_id": "r${log.length}"${next ? `,\n  "next_url": ${JSON.stringify(next)}` : ''}\n}`,
        };
      }
      const m = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/(\d+)\/(minute|hour|day)\/([\d-]+)\/([\d-]+)$/.exec(
        path,
      );
      if (!m) return { status: 404, body: '{"status":"NOT_FOUND"}' };
      const [, sym, mult, span, from, to] = m as unknown as [string, string, string, string, string, string];
      const symbol = decodeURIComponent(sym);
      const all = barsBetween(
        symbol,
        Date.parse(`${from}T00:00:00Z`),
        Date.parse(`${to}T00:00:00Z`) + DAY,
        Number(mult) * (STEP[span] ?? DAY),
      );
      const p = page(all, offset, limit);
      const results = p.rows.map((b) => ({
        v: b.v,
        vw: b.vw,
        o: b.o,
        c: b.c,
        h: b.h,
        l: b.l,
        t: b.ms,
        n: b.n,
      }));
      const next = nextUrl(p.next);
      return {
        status: 200,
        body: JSON.stringify(
          {
            ticker: symbol,
            queryCount: results.length,
            resultsCount: results.length,
            adjusted: false,
            results,
            status: 'OK',
            request_id: `r${log.length}`,
            count: results.length,
            ...(next ? { next_url: next } : {}),
          },
          null,
          2,
        ),
      };
    }
    if (path === '/api/v3/klines' || path === '/api/v3/aggTrades') {
      const symbol = q.symbol ?? '';
      const from = Number(q.startTime);
      const to = Number(q.endTime) + 1;
      const lim = Math.min(limit, 1000);
      if (path.endsWith('klines')) {
        const rows = barsBetween(symbol, from, to, STEP[q.interval ?? '1m'] ?? 60_000).slice(0, lim);
        const step = STEP[q.interval ?? '1m'] ?? 60_000;
        return {
          status: 200,
          body: JSON.stringify(
            rows.map((b) => [
              b.ms,
              String(b.o),
              String(b.h),
              String(b.l),
              String(b.c),
              String(b.v),
              b.ms + step - 1,
              String(b.v * b.vw),
              b.n,
              String(b.v / 2),
              String((b.v * b.vw) / 2),
              '0',
            ]),
          ),
        };
      }
      const rows = tradesBetween(symbol, from, to, perDay).slice(0, lim);
      return {
        status: 200,
        body: JSON.stringify(
          rows.map((t) => ({
            a: t.id,
            p: t.price.toFixed(8),
            q: t.size.toFixed(8),
            f: t.id * 2,
            l: t.id * 2 + 1,
            T: t.ms,
            m: t.id % 2 === 0,
            M: true,
          })),
        ),
      };
    }
    return { status: 404, body: '{"message":"not found"}' };
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const now = Date.now();
    const entry: LoggedRequest = {
      at: now,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 200,
      headers: {
        'apca-api-key-id': req.headers['apca-api-key-id'] as string | undefined,
        authorization: req.headers.authorization,
      },
    };
    log.push(entry);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...headers,
      });
      res.end(body);
    };
    const rl = faults.rateLimit;
    if (rl) {
      if (now - windowStart >= rl.windowMs) {
        windowStart = now;
        windowCount = 0;
      }
      windowCount += 1;
      if (windowCount > rl.max) {
        send(429, '{"message":"too many requests"}', { 'retry-after': String(rl.retryAfterSeconds) });
        return;
      }
    }
    if (faults.alwaysFail?.(url.pathname, entry.query)) {
      send(500, '{"message":"internal error"}');
      return;
    }
    if ((faults.fail500 ?? 0) > 0) {
      faults.fail500 = (faults.fail500 ?? 0) - 1;
      send(500, '{"message":"internal error"}');
      return;
    }
    const r = route(req, url);
    if (r.status === 200 && (faults.truncate ?? 0) > 0) {
      faults.truncate = (faults.truncate ?? 0) - 1;
      entry.status = -200;
      const bytes = Buffer.from(r.body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    send(r.status, r.body, r.headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
