import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Lake, LakeSession, tableRef } from '../../layers/index.js';
import {
  alpacaAdapter,
  type BackfillRequest,
  planBackfill,
  runBackfill,
  type VendorAdapter,
  type VendorSettings,
  vendorSettingsFromEnv,
} from '../../pipelines/index.js';
import { tempLake } from '../helpers/temp-lake.js';
import { startVendorServer, type VendorServer } from '../support/vendor-server.js';

const KEYS = { id: 'key-id-123', secret: 'secret-never-logged' };

let server: VendorServer;
let settings: VendorSettings;

beforeAll(async () => {
  server = await startVendorServer({ tradesPerDay: 30, alpacaKeys: KEYS, polygonKey: 'poly-key' });
  settings = vendorSettingsFromEnv({
    ALPACA_DATA_URL: server.url,
    POLYGON_API_URL: server.url,
    BINANCE_API_URL: server.url,
    APCA_API_KEY_ID: KEYS.id,
    APCA_API_SECRET_KEY: KEYS.secret,
    POLYGON_API_KEY: 'poly-key',
    BACKFILL_RPM_ALPACA: '60000',
    BACKFILL_RPM_POLYGON: '60000',
    BACKFILL_RPM_BINANCE: '60000',
  });
});
afterAll(async () => server?.close());

async function backfill(lake: Lake, req: BackfillRequest, adapter?: VendorAdapter) {
  const session = await LakeSession.open(lake);
  try {
    const plan = await planBackfill(lake, req);
    const summary = await runBackfill(session, plan, {
      settings,
      concurrency: 2,
      retryBudgetMs: 1500,
      ...(adapter ? { adapter } : {}),
    });
    return { plan, summary };
  } finally {
    session.close();
  }
}

/** A stream that keeps what the logger writes. */
function captured(): PassThrough & { text(): string } {
  const chunks: Buffer[] = [];
  const stream = new PassThrough() as PassThrough & { text(): string };
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
}

async function rows(lake: Lake, sql: string): Promise<unknown[]> {
  const session = await LakeSession.open(lake);
  try {
    return await session.all(sql);
  } finally {
    session.close();
  }
}

const TRADES = `SELECT symbol, strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS t, price, size, trade_id, source FROM bronze.trades ORDER BY symbol, event_at, trade_id`;
// 2024-01-05 is a Friday, 01-06 a Saturday (no trades), 01-08 a Monday.
const alpacaTrades = (from = '2024-01-05', to = '2024-01-08'): BackfillRequest => ({
  from,
  to,
  vendor: { source: 'alpaca', dataset: 'trades', symbols: ['aapl', 'MSFT'] },
});

describe('backfill from vendor history over HTTP (local vendor server)', () => {
  it('Alpaca trades: pages followed, keys sent, every record accounted for; a rerun changes nothing', async () => {
    const env = await tempLake();
    try {
      server.log.length = 0;
      // Pages of 7 trades: 5 pages per symbol-weekday.
      const { plan, summary } = await backfill(env.lake, alpacaTrades(), alpacaAdapter({ limit: 7 }));
      expect(plan.items.map((i) => `${i.symbol} ${i.from} ${i.action}`)).toEqual([
        'AAPL 2024-01-05 fetch',
        'MSFT 2024-01-05 fetch',
        'AAPL 2024-01-06 fetch',
        'MSFT 2024-01-06 fetch',
        'AAPL 2024-01-07 fetch',
        'MSFT 2024-01-07 fetch',
        'AAPL 2024-01-08 fetch',
        'MSFT 2024-01-08 fetch',
      ]);
      // 2 weekdays × 2 symbols × 30 trades, all valid.
      expect(summary).toMatchObject({ done: 8, failed: [], accepted: 120, quarantined: 0 });
      // Weekday units: 30 trades each, all accepted; weekend responses are empty bodies (a skipped
      // record each, or nothing when the same empty body was already committed).
      for (const r of summary.results) {
        const weekday = r.from === '2024-01-05' || r.from === '2024-01-08';
        expect([r.accepted, r.quarantined]).toEqual([weekday ? 30 : 0, 0]);
        if (weekday) expect(r.read).toBe(30);
        else expect(r.read).toBeLessThanOrEqual(1);
      }
      expect(summary.changedDays).toEqual(['2024-01-05', '2024-01-08']);
      expect(summary.requests).toBe(4 * 5 + 4);
      // Each unit counts its own requests although units share the client at the same time.
      expect(summary.results.map((r) => `${r.symbol} ${r.from} ${r.requests}`).sort()).toEqual([
        'AAPL 2024-01-05 5',
        'AAPL 2024-01-06 1',
        'AAPL 2024-01-07 1',
        'AAPL 2024-01-08 5',
        'MSFT 2024-01-05 5',
        'MSFT 2024-01-06 1',
        'MSFT 2024-01-07 1',
        'MSFT 2024-01-08 5',
      ]);
      expect(server.log.filter((r) => r.query.page_token).length).toBe(4 * 4);
      expect(server.log.every((r) => r.headers['apca-api-key-id'] === KEYS.id)).toBe(true);
      const got = (await rows(env.lake, TRADES)) as { symbol: string; t: string; source: string }[];
      expect(got).toHaveLength(120);
      expect(got[0]).toMatchObject({ symbol: 'AAPL', t: '2024-01-05T14:30:00.000000Z', source: 'alpaca' });

      const history = await env.lake.catalog.history(tableRef('bronze', 'trades'));
      server.log.length = 0;
      const again = await backfill(env.lake, alpacaTrades());
      expect(
        again.plan.items.every((i) => i.action === 'skip' && i.reason.startsWith('already ingested')),
      ).toBe(true);
      expect(again.summary).toMatchObject({ done: 0, skipped: 8, requests: 0, changedDays: [] });
      expect(server.log).toHaveLength(0);
      // --force fetches again, finds every batch already in bronze: no new snapshot.
      const forced = await backfill(
        env.lake,
        { ...alpacaTrades(), force: true },
        alpacaAdapter({ limit: 7 }),
      );
      expect(forced.summary).toMatchObject({ done: 8, changedDays: [] });
      expect(await env.lake.catalog.history(tableRef('bronze', 'trades'))).toEqual(history);
      expect(await rows(env.lake, TRADES)).toEqual(got);
    } finally {
      await env.cleanup();
    }
  }, 120_000);

  it('interrupted (a day fails) and resumed equals a clean run; the failure is listed', async () => {
    const clean = await tempLake();
    const broken = await tempLake();
    try {
      await backfill(clean.lake, alpacaTrades());
      server.faults.alwaysFail = (_path, q) => q.start?.startsWith('2024-01-08') === true;
      const first = await backfill(broken.lake, alpacaTrades());
      server.faults.alwaysFail = undefined;
      expect(first.summary.failed.map((f) => `${f.symbol} ${f.from}`).sort()).toEqual([
        'AAPL 2024-01-08',
        'MSFT 2024-01-08',
      ]);
      expect(first.summary.done).toBe(6);
      server.log.length = 0;
      const resumed = await backfill(broken.lake, alpacaTrades());
      expect(resumed.summary).toMatchObject({ done: 2, skipped: 6, failed: [] });
      expect(new Set(server.log.map((r) => r.query.start))).toEqual(new Set(['2024-01-08T00:00:00.000Z']));
      expect(await rows(broken.lake, TRADES)).toEqual(await rows(clean.lake, TRADES));
    } finally {
      server.faults.alwaysFail = undefined;
      await clean.cleanup();
      await broken.cleanup();
    }
  }, 180_000);

  it('honours 429 + Retry-After, retries a 500 and a truncated body', async () => {
    const env = await tempLake();
    const logs = captured();
    try {
      server.log.length = 0;
      server.faults.rateLimit = { max: 3, windowMs: 1000, retryAfterSeconds: 1 };
      server.faults.fail500 = 1;
      const req: BackfillRequest = {
        from: '2024-01-05',
        to: '2024-01-05',
        vendor: { source: 'polygon', dataset: 'trades', symbols: ['AAPL', 'MSFT', 'IBM', 'TSLA'] },
      };
      const session = await LakeSession.open(env.lake);
      let summary: Awaited<ReturnType<typeof runBackfill>>;
      try {
        const plan = await planBackfill(env.lake, req);
        // Small pages: 30 trades in 3 pages per symbol, 12 requests against 3 per second.
        const { polygonAdapter } = await import('../../pipelines/index.js');
        server.faults.truncate = 1;
        summary = await runBackfill(session, plan, {
          settings,
          concurrency: 4,
          adapter: polygonAdapter({ limit: 10 }),
          logger: createLogger({ level: 'debug', json: true, destination: logs }),
        });
      } finally {
        session.close();
        server.faults.rateLimit = undefined;
      }
      expect(summary).toMatchObject({ done: 4, failed: [], read: 120, accepted: 120, quarantined: 0 });
      expect(summary.throttled).toBeGreaterThan(0);
      expect(summary.retries).toBeGreaterThanOrEqual(summary.throttled + 2);
      expect(server.log.some((r) => r.status === 500)).toBe(true);
      expect(server.log.some((r) => r.status === -200)).toBe(true);
      // After the first 429 of a burst, once requests already in flight have arrived (allow 300 ms on
      // this shared machine), nothing comes until Retry-After (1 s) has passed.
      const throttled = server.log.filter((x) => x.status === 429);
      const bursts = throttled.filter((r, k) => k === 0 || r.at - (throttled[k - 1]?.at ?? 0) > 300);
      for (const b of bursts) {
        const early = server.log.filter((x) => x.at > b.at + 300 && x.at < b.at + 900);
        expect(early).toEqual([]);
      }
      // Every retry is logged with its URL, never with a key.
      const logged = logs.text();
      expect(logged).toMatch(/vendor request retried/);
      expect(logged).not.toMatch(/poly-key|secret-never-logged|key-id-123/);
      // Nanosecond times stay exact through paging, spool and ingestion.
      const ns = (await rows(env.lake, `SELECT count(DISTINCT trade_id)::INT AS n FROM bronze.trades`)) as {
        n: number;
      }[];
      expect(ns[0]?.n).toBe(30);
    } finally {
      await env.cleanup();
    }
  }, 120_000);

  it('bars: Polygon v2 aggregates by year, Binance klines and aggTrades by windows', async () => {
    const env = await tempLake();
    try {
      const poly = await backfill(env.lake, {
        from: '2023-12-28',
        to: '2024-01-03',
        vendor: { source: 'polygon', dataset: 'bars', symbols: ['AAPL'], interval: '1d' },
      });
      expect(poly.plan.items.map((i) => `${i.from}..${i.to}`)).toEqual([
        '2023-12-28..2023-12-31',
        '2024-01-01..2024-01-03',
      ]);
      expect(poly.summary).toMatchObject({ failed: [], read: 5, accepted: 5 });
      const kl = await backfill(env.lake, {
        from: '2024-01-06',
        to: '2024-01-06',
        vendor: { source: 'binance', dataset: 'bars', symbols: ['BTCUSDT'] },
      });
      // 1,440 one-minute klines in two windows of 1,000.
      expect(kl.summary).toMatchObject({ failed: [], read: 1440, accepted: 1440, requests: 2 });
      const agg = await backfill(env.lake, {
        from: '2024-01-05',
        to: '2024-01-05',
        vendor: { source: 'binance', dataset: 'trades', symbols: ['BTCUSDT'] },
      });
      expect(agg.summary).toMatchObject({ failed: [], read: 30, accepted: 30, requests: 24 });
      const bars = await rows(
        env.lake,
        `SELECT source, "interval", count(*)::INT AS n FROM bronze.bars GROUP BY ALL ORDER BY source`,
      );
      expect(bars).toEqual([
        { source: 'binance', interval: '1m', n: 1440 },
        { source: 'polygon', interval: '1d', n: 5 },
      ]);
    } finally {
      await env.cleanup();
    }
  }, 120_000);

  it('--gaps: each recorded stream gap is fetched for exactly its range; unsupported sources are said so', async () => {
    const env = await tempLake();
    try {
      server.log.length = 0;
      const gaps = [
        {
          gapId: 1,
          source: 'alpaca',
          dataset: 'trades',
          symbol: 'AAPL',
          gapFrom: '2024-01-05T15:00:00.000Z',
          gapTo: '2024-01-05T16:00:00.000Z',
          recordedAt: '2024-01-05T16:00:01Z',
        },
        {
          gapId: 2,
          source: 'simulator',
          dataset: 'trades',
          symbol: 'AAPL',
          gapFrom: '2024-01-05T17:00:00.000Z',
          gapTo: '2024-01-05T17:05:00.000Z',
          recordedAt: '2024-01-05T17:05:01Z',
        },
        {
          gapId: 3,
          source: 'binance',
          dataset: 'trades',
          symbol: null,
          gapFrom: '2024-01-05T15:00:00.000Z',
          gapTo: '2024-01-05T15:30:00.000Z',
          recordedAt: '2024-01-05T15:30:01Z',
        },
      ];
      const { plan, summary } = await backfill(env.lake, {
        from: '2024-01-05',
        to: '2024-01-05',
        gaps: { gaps },
      });
      expect(
        plan.items.map((i) => [i.key, i.action, i.reason.replace(/^stream gap \S+ \(recorded \S+\)/, 'gap')]),
      ).toEqual([
        ['gaps/1/AAPL', 'fetch', 'gap'],
        ['gaps/2/AAPL', 'skip', 'gap: no history API for source "simulator"'],
        ['gaps/3/*', 'skip', 'gap: every symbol of the feed: pass --symbols'],
      ]);
      expect(server.log.map((r) => [r.query.start, r.query.end])).toEqual([
        ['2024-01-05T15:00:00.000Z', '2024-01-05T16:00:00.000Z'],
      ]);
      // 30 trades spread over 14:30-21:00 UTC: the ones in [15:00, 16:00).
      const inGap = (await rows(
        env.lake,
        `SELECT min(event_at)::VARCHAR AS lo, max(event_at)::VARCHAR AS hi, count(*)::INT AS n FROM bronze.trades`,
      )) as { lo: string; hi: string; n: number }[];
      expect(summary.accepted).toBe(inGap[0]?.n);
      expect(inGap[0]?.n).toBeGreaterThan(0);
      expect((inGap[0]?.lo ?? '') >= '2024-01-05 15:00:00').toBe(true);
      expect((inGap[0]?.hi ?? '9') < '2024-01-05 16:00:00').toBe(true);
    } finally {
      await env.cleanup();
    }
  }, 60_000);
});
