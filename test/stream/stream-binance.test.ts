import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createLogger, LakeSession } from '../../layers/index.js';
import { binanceFeed, committerSink, LakeCommitter, runStream } from '../../streaming/index.js';
import { tempLake } from '../helpers/temp-lake.js';

/**
 * stream --source binance against a loopback server replaying frames recorded from Binance and
 * Binance.US (cryptofeed's captures in ../shared/data): combined-stream framing as recorded, raw
 * framing (the same events without the envelope), and `trade` events (the recorded aggTrades
 * rewritten as Binance's trade event: `t` for the id, no first/last ids; none were recorded).
 */
const logger = createLogger({ level: 'silent', json: true });
const FIXTURES = '../shared/data/vendor-wire-fixtures/binance';

interface Recorded {
  frame: { stream: string; data: Record<string, unknown> };
}

function frames(file: string): Recorded[] {
  return gunzipSync(readFileSync(`${FIXTURES}/${file}`))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Recorded);
}

describe('stream --source binance (recorded frames on loopback)', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;
  const global = frames('cryptofeed_BINANCE.ws.1.0.frames.jsonl.gz');
  const us = frames('cryptofeed_BINANCE_US.ws.1.0.frames.jsonl.gz');
  const aggOf = (fs: Recorded[]) => fs.filter((f) => f.frame.data.e === 'aggTrade');

  async function replay(
    texts: string[],
    framing: 'raw' | 'combined',
    channels: ('trade' | 'aggTrade')[],
    expected: number,
  ) {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const paths: string[] = [];
    wss.on('connection', (ws, req) => {
      paths.push(req.url ?? '');
      for (const t of texts) ws.send(t);
    });
    const committer = new LakeCommitter({ session, logger, source: 'stream:binance' });
    const controller = new AbortController();
    const running = runStream({
      feed: binanceFeed({
        url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
        symbols: ['nknusdt', 'compusdt'],
        channels,
        framing,
      }),
      logger,
      sink: committerSink(committer),
      signal: controller.signal,
      flushIntervalMs: 200,
    });
    const deadline = Date.now() + 30_000;
    while (committer.stats.records < expected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const summary = await running;
    await new Promise<void>((r) => wss.close(() => r()));
    return { paths, summary };
  }

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
  });

  afterAll(async () => {
    session?.close();
    await env?.cleanup();
  });

  it('combined framing: every recorded aggTrade lands once, other events are counted', async () => {
    const { paths, summary } = await replay(
      global.map((f) => JSON.stringify(f.frame)),
      'combined',
      ['aggTrade'],
      aggOf(global).length,
    );
    expect(paths[0]).toBe('/stream?streams=nknusdt@aggTrade/compusdt@aggTrade');
    const agg = aggOf(global);
    expect(agg.length).toBeGreaterThan(0);
    expect(summary.records).toBe(agg.length);
    expect(summary.control).toBe(global.length - agg.length);
    const rows = await session.all<{ n: string }>(
      "SELECT count(*) n FROM bronze.trades WHERE source = 'binance'",
    );
    expect(Number(rows[0]?.n)).toBe(agg.length);
    const first = agg[0]!.frame.data;
    const [row] = await session.all<{ price: number; size: number; event_at: string }>(
      "SELECT price, size, strftime(event_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS event_at FROM bronze.trades WHERE symbol = $s AND trade_id = $id",
      { s: first.s as string, id: String(first.a) },
    );
    expect(row).toEqual({
      price: Number(first.p),
      size: Number(first.q),
      event_at: new Date(first.T as number).toISOString(),
    });
  }, 60_000);

  it('raw framing and trade events: the same events without the envelope, and as trade events', async () => {
    const agg = aggOf(us);
    const raw = us.map((f) => JSON.stringify(f.frame.data));
    const trades = agg.map((f) => {
      const { a, f: _first, l: _last, ...rest } = f.frame.data;
      return JSON.stringify({ ...rest, e: 'trade', t: `t${String(a)}` });
    });
    const rawRun = await replay(raw, 'raw', ['aggTrade'], agg.length);
    expect(rawRun.paths[0]).toBe('/ws/nknusdt@aggTrade');
    expect(rawRun.summary.records).toBe(agg.length);
    const tradeRun = await replay(
      [...trades, '{"result":null,"id":1}', '{"e":"mystery"}'],
      'combined',
      ['trade'],
      agg.length + 1,
    );
    expect(tradeRun.summary.records).toBe(agg.length + 1);
    expect(tradeRun.summary.control).toBe(1);
    const [q] = await session.all<{ reason: string }>('SELECT reason FROM quarantine.trades');
    expect(q?.reason).toMatch(/unknown binance event type "mystery"/);
    const [n] = await session.all<{ n: string }>(
      "SELECT count(*) n FROM bronze.trades WHERE trade_id LIKE 't%'",
    );
    expect(Number(n?.n)).toBe(agg.length);
  }, 60_000);
});
