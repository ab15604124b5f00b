import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveAlert, liveChannel } from '../../streaming/live-events.js';
import {
  API_ROUTES,
  buildServer,
  LakeReader,
  LiveHub,
  lakeAlertPoller,
  redisLiveFeed,
} from '../../web/index.js';
import { tempLake } from '../helpers/temp-lake.js';
import { openUiFixture, SESSION, type UiFixture } from './ui-fixture.js';

interface GoldBar {
  bar_start_ms: number;
  session_date: string;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number;
  vwap: number | null;
  trade_count: number;
}

describe('REST API /api/v1 over gold (lake and PostgreSQL)', () => {
  let fx: UiFixture;
  let lakeApp: FastifyInstance;
  let pgApp: FastifyInstance;
  let hub: LiveHub;
  let goldBars: GoldBar[];

  beforeAll(async () => {
    fx = await openUiFixture('webapi');
    hub = new LiveHub();
    lakeApp = await buildServer({ lake: fx.env.lake, gold: fx.lakeReader, silver: fx.lakeReader, hub });
    pgApp = await buildServer({ lake: fx.env.lake, gold: fx.pgReader, silver: fx.lakeReader });
    // Read independently of the API's SQL: the trusted session of the test, plain columns.
    const rows = await fx.session.all<Record<string, unknown>>(
      `SELECT epoch_ms(bar_start_at) AS bar_start_ms, cast(session_date AS VARCHAR) AS session_date,
              open, high, low, close, volume, vwap, trade_count
       FROM gold.fact_bars WHERE symbol = 'AAPL' AND interval = '1m' AND session_date = DATE '${SESSION}'
       ORDER BY bar_start_at`,
    );
    goldBars = rows.map((r) => ({
      ...(r as unknown as GoldBar),
      bar_start_ms: Number(r.bar_start_ms),
      trade_count: Number(r.trade_count),
    }));
  }, 180_000);

  afterAll(async () => {
    await lakeApp?.close();
    await pgApp?.close();
    await fx?.close();
  });

  const get = async (app: FastifyInstance, url: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ url, headers });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body ? JSON.parse(res.body) : undefined,
    };
  };

  const asGold = (bar: Record<string, unknown>): GoldBar => ({
    bar_start_ms: Date.parse(String(bar.bar_start_at)),
    session_date: String(bar.session_date),
    open: bar.open as number | null,
    high: bar.high as number | null,
    low: bar.low as number | null,
    close: bar.close as number | null,
    volume: bar.volume as number,
    vwap: bar.vwap as number | null,
    trade_count: bar.trade_count as number,
  });

  for (const mode of ['lake', 'postgres'] as const) {
    it(`/bars/AAPL?interval=1m for one session equals gold.fact_bars, row for row (${mode})`, async () => {
      const app = mode === 'lake' ? lakeApp : pgApp;
      const res = await get(app, `/api/v1/bars/AAPL?interval=1m&from=${SESSION}&to=${SESSION}&limit=10000`);
      expect(res.status).toBe(200);
      expect(res.body.source).toBe(mode);
      expect(res.body.next_cursor).toBeNull();
      expect(goldBars.length).toBeGreaterThan(200);
      expect(res.body.data.map(asGold)).toEqual(goldBars);
    });
  }

  it('pages through the same bars by cursor, without gaps or repeats', async () => {
    const seen: GoldBar[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `/api/v1/bars/AAPL?interval=1m&from=${SESSION}&to=${SESSION}&limit=97${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await get(lakeApp, url);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map(asGold));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(goldBars.length / 97));
    expect(seen).toEqual(goldBars);
  });

  it('answers a past session with an ETag and a max-age, and 304 when the ETag matches', async () => {
    const url = `/api/v1/bars/AAPL?interval=1h&from=${SESSION}&to=${SESSION}`;
    const first = await get(lakeApp, url);
    expect(first.headers['cache-control']).toBe('public, max-age=3600');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await lakeApp.inject({ url, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // Without an upper bound the answer can still grow: clients revalidate.
    expect((await get(lakeApp, '/api/v1/bars/AAPL?interval=1h')).headers['cache-control']).toBe('no-cache');
  });

  it('refuses bad parameters with a 400 naming each one', async () => {
    const bad = await get(lakeApp, '/api/v1/bars/AAPL?interval=2m&limit=0&foo=1');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('bad_request');
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['foo', 'interval', 'limit']);
    for (const url of [
      '/api/v1/bars/..%2F..%2Fetc?interval=1m',
      "/api/v1/bars/AAPL'%20OR%201=1?interval=1m",
      '/api/v1/bars/AAPL?from=yesterday',
      '/api/v1/bars/AAPL?cursor=bm90LWEtY3Vyc29y',
      '/api/v1/bars/AAPL?limit=10001',
      '/api/v1/alerts?kind=whatever',
      '/api/v1/alerts?since=2024-03-04',
      '/api/v1/market-summary?session=March',
      '/api/v1/live/quotes',
    ]) {
      const res = await get(lakeApp, url);
      expect({ url, status: res.status, error: res.body.error }).toEqual({
        url,
        status: 400,
        error: 'bad_request',
      });
    }
    expect((await get(lakeApp, '/api/v1/nothing-here')).status).toBe(404);
    expect((await get(lakeApp, '/api/v1/runs/run_missing')).status).toBe(404);
  });

  it('market-summary: one row per symbol of the latest session, equal to gold.fact_daily_market', async () => {
    const gold = await fx.session.all<{ symbol: string; close: number; volume: number }>(
      `SELECT symbol, close, volume FROM gold.fact_daily_market WHERE session_date = DATE '${SESSION}' ORDER BY symbol`,
    );
    for (const app of [lakeApp, pgApp]) {
      const res = await get(app, '/api/v1/market-summary');
      expect(res.body.session_date).toBe(SESSION);
      expect(
        res.body.data.map((r: Record<string, unknown>) => ({
          symbol: r.symbol,
          close: r.last,
          volume: r.volume,
        })),
      ).toEqual(gold);
      expect(res.body.data[0].sparkline.length).toBeGreaterThan(10);
    }
  });

  it('alerts: every alert of a symbol, newest first, filtered by kind; the same from PostgreSQL', async () => {
    const [count] = await fx.session.all<{ n: string; symbol: string }>(
      'SELECT symbol, count(*) AS n FROM gold.fact_alerts GROUP BY symbol ORDER BY n DESC, symbol LIMIT 1',
    );
    expect(Number(count!.n)).toBeGreaterThan(0);
    const url = `/api/v1/alerts?symbol=${count!.symbol}&limit=1000`;
    const fromLake = await get(lakeApp, url);
    expect(fromLake.body.data).toHaveLength(Number(count!.n));
    const times = fromLake.body.data.map((a: { bar_start_at: string }) => a.bar_start_at);
    expect(times).toEqual([...times].sort().reverse());
    expect((await get(pgApp, url)).body.data).toEqual(fromLake.body.data);
    const rule = fromLake.body.data[0].rule;
    const filtered = await get(lakeApp, `${url}&kind=${rule}`);
    expect(filtered.body.data.every((a: { rule: string }) => a.rule === rule)).toBe(true);
  });

  it('trades and the latest quote come from silver; symbols from dim_symbol', async () => {
    const [n] = await fx.session.all<{ n: string }>(
      "SELECT count(*) AS n FROM silver.trades WHERE symbol = 'MSFT'",
    );
    const trades = await get(lakeApp, '/api/v1/trades/MSFT?limit=10000');
    expect(trades.body.data).toHaveLength(Number(n!.n));
    const quote = await get(pgApp, '/api/v1/quotes/MSFT/latest');
    expect(quote.body.symbol).toBe('MSFT');
    expect(quote.body.ask_price).toBeGreaterThan(0);
    const symbols = await get(pgApp, '/api/v1/symbols');
    expect(symbols.body.data.map((s: { symbol: string }) => s.symbol)).toHaveLength(10);
  });

  it('runs, tables and the data-quality report describe the pipeline', async () => {
    const runs = await get(lakeApp, '/api/v1/runs');
    const runId = runs.body.data[0].runId;
    const run = await get(lakeApp, `/api/v1/runs/${runId}`);
    expect(run.body.run.status).toBe('succeeded');
    expect(run.body.tasks.length).toBeGreaterThan(5);
    const tables = await get(lakeApp, '/api/v1/tables');
    const bars = tables.body.data.find((t: { table: string }) => t.table === 'gold.fact_bars');
    const [n] = await fx.session.all<{ n: string }>('SELECT count(*) AS n FROM gold.fact_bars');
    expect(bars.rows).toBe(Number(n!.n));
    const snapshots = await get(lakeApp, '/api/v1/tables/gold.fact_bars/snapshots');
    expect(snapshots.body.data).toHaveLength(bars.snapshots);
    expect(snapshots.body.data[0]).toMatchObject({
      version: bars.version,
      rows: bars.rows,
      files: bars.files,
    });
    expect((await get(lakeApp, '/api/v1/tables/gold.no_such_table/snapshots')).status).toBe(404);
    expect((await get(lakeApp, '/api/v1/tables/..%2Fetc/snapshots')).status).toBe(400);
    const dq = await get(lakeApp, '/api/v1/dq/latest');
    expect(dq.body.summary.checks).toBe(dq.body.results.length);
  });

  it('documents every route in /api/v1/openapi.json', async () => {
    const doc = (await get(lakeApp, '/api/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const r of API_ROUTES) {
      const path = `/api/v1${r.path.replace(/:([a-z_]+)/g, '{$1}')}`;
      expect(doc.paths[path]?.get?.summary).toBe(r.summary);
    }
    const interval = doc.paths['/api/v1/bars/{symbol}'].get.parameters.find(
      (p: { name: string }) => p.name === 'interval',
    );
    expect(interval.schema.enum).toEqual(['1m', '5m', '15m', '1h', '1d']);
    const docs = await lakeApp.inject({ url: '/api/v1/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it("streams an alert published on the lake's Redis channel to an SSE client of that symbol", async () => {
    const prefix = `marketlake-webtest-${process.pid}`;
    const feed = await redisLiveFeed(hub, 'redis://127.0.0.1:6379', prefix);
    const address = await lakeApp.listen({ port: 0, host: '127.0.0.1' });
    const publisher = new Redis('redis://127.0.0.1:6379');
    const controller = new AbortController();
    try {
      const res = await fetch(`${address}/api/v1/live/alerts?symbol=TSLA`, { signal: controller.signal });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const alert = (symbol: string): LiveAlert => ({
        symbol,
        bar_start_at: '2024-03-04T15:31:00Z',
        rule: 'price_move_1m',
        threshold: 0.05,
        observed_value: 0.071,
        open: 200,
        high: 215,
        low: 199,
        close: 214.2,
        volume: 1200,
      });
      while (!text.includes('subscribed')) text += decoder.decode((await reader.read()).value);
      // Another symbol's alert and a malformed message are not passed on.
      await publisher.publish(liveChannel(prefix, 'alerts'), JSON.stringify(alert('AAPL')));
      await publisher.publish(liveChannel(prefix, 'alerts'), '{"symbol":"TSLA"}');
      await publisher.publish(liveChannel(prefix, 'alerts'), JSON.stringify(alert('TSLA')));
      while (!text.includes('event: alerts')) text += decoder.decode((await reader.read()).value);
      const data = text.split('\n').find((l) => l.startsWith('data: '))!;
      expect(JSON.parse(data.slice(6))).toEqual(alert('TSLA'));
    } finally {
      controller.abort();
      publisher.disconnect();
      await feed.stop();
    }
  });
});

describe('REST API on a lake the pipeline has not built yet', () => {
  it('answers empty lists, not errors, and the alert poller starts', async () => {
    const env = await tempLake('marketlake-webempty-');
    const reader = await LakeReader.open(env.lake, { sessions: 1 });
    const feed = await lakeAlertPoller(new LiveHub(), reader, 60_000);
    const app = await buildServer({ lake: env.lake, gold: reader, silver: reader });
    try {
      for (const url of [
        '/api/v1/bars/AAPL',
        '/api/v1/alerts',
        '/api/v1/market-summary',
        '/api/v1/symbols',
      ]) {
        const res = await app.inject({ url });
        expect({ url, status: res.statusCode, data: JSON.parse(res.body).data }).toEqual({
          url,
          status: 200,
          data: [],
        });
      }
      expect((await app.inject({ url: '/api/v1/dq/latest' })).statusCode).toBe(404);
    } finally {
      await app.close();
      await feed.stop();
      await reader.close();
      await env.cleanup();
    }
  });
});
