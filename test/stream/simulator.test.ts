import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { simulateMarket, startAlpacaSimulator, writeSimulatedFiles } from '../../pipelines/index.js';

/** A client that keeps every message of every frame it receives, in order. */
function client(url: string) {
  const ws = new WebSocket(url);
  const messages: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  ws.on('message', (d: Buffer) => {
    messages.push(...(JSON.parse(d.toString()) as Record<string, unknown>[]));
    wake?.();
  });
  const closed = new Promise<number>((r) => ws.on('close', (code: number) => r(code)));
  const until = async (ok: (m: Record<string, unknown>[]) => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!ok(messages)) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(messages.slice(-5))}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 100);
      });
    }
  };
  return {
    ws,
    messages,
    until,
    closed,
    send: (v: unknown) => ws.send(typeof v === 'string' ? v : JSON.stringify(v)),
  };
}

describe('simulate --ws: the Alpaca market-data v2 protocol', () => {
  it('greets, refuses bad keys with 402 and closes', async () => {
    const sim = await startAlpacaSimulator({ port: 0, key: 'k', secret: 's', tradesPerSecond: 100 });
    try {
      const c = client(sim.url);
      await c.until((m) => m.some((x) => x.msg === 'connected'));
      expect(c.messages[0]).toEqual({ T: 'success', msg: 'connected' });
      c.send({ action: 'subscribe', trades: ['AAPL'] });
      await c.until((m) => m.some((x) => x.code === 401));
      c.send('{not json');
      await c.until((m) => m.some((x) => x.code === 400));
      c.send({ action: 'auth', key: 'k', secret: 'wrong' });
      await c.until((m) => m.some((x) => x.code === 402));
      expect(await c.closed).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });

  it('authenticates, subscribes by symbol, batches t/q/b messages, refuses a second connection with 406', async () => {
    const sim = await startAlpacaSimulator({
      port: 0,
      key: 'k',
      secret: 's',
      tradesPerSecond: 2000,
      speed: 120,
      startMs: Date.parse('2024-03-04T15:00:00Z'),
    });
    try {
      const c = client(sim.url);
      await c.until((m) => m.some((x) => x.msg === 'connected'));
      c.send({ action: 'auth', key: 'k', secret: 's' });
      await c.until((m) => m.some((x) => x.msg === 'authenticated'));
      c.send({ action: 'subscribe', trades: ['AAPL'], quotes: ['AAPL'], bars: ['*'] });
      await c.until((m) => m.some((x) => x.T === 'subscription'));
      expect(c.messages.find((x) => x.T === 'subscription')).toEqual({
        T: 'subscription',
        trades: ['AAPL'],
        quotes: ['AAPL'],
        bars: ['*'],
      });
      const second = client(sim.url);
      await second.until((m) => m.some((x) => x.code === 406));
      await c.until((m) => m.some((x) => x.T === 'b') && m.filter((x) => x.T === 't').length > 20);
      const trades = c.messages.filter((x) => x.T === 't');
      expect(new Set(trades.map((t) => t.S))).toEqual(new Set(['AAPL']));
      expect(Object.keys(trades[0]!).sort()).toEqual(['S', 'T', 'c', 'i', 'p', 's', 't', 'x', 'z']);
      expect(c.messages.some((x) => x.T === 'q' && x.S === 'AAPL')).toBe(true);
      const bar = c.messages.find((x) => x.T === 'b')!;
      expect(bar).toMatchObject({ o: expect.any(Number), h: expect.any(Number), v: expect.any(Number) });
      expect(String(bar.t)).toMatch(/^2024-03-04T15:\d\d:00Z$/);
      // Event times never go backwards without --late-share.
      const times = trades.map((t) => Date.parse(String(t.t)));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      c.send({ action: 'unsubscribe', trades: ['AAPL'], quotes: ['AAPL'], bars: ['*'] });
      await c.until((m) => m.filter((x) => x.T === 'subscription').length === 2);
      expect(c.messages.filter((x) => x.T === 'subscription')[1]).toEqual({
        T: 'subscription',
        trades: [],
        quotes: [],
        bars: [],
      });
      c.ws.close();
    } finally {
      await sim.close();
    }
  });

  it('writes files with exactly the records of the in-memory simulator, bad records included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marketlake-sim-'));
    try {
      const options = { days: 2, tradesPerSymbolDay: 300, quotesPerSymbolDay: 200, badRecordRate: 0.02 };
      const written = writeSimulatedFiles(options, dir);
      const market = simulateMarket(options);
      const text = (rs: unknown[]) => rs.map((r) => `${JSON.stringify(r)}\n`).join('');
      expect(await readFile(join(dir, 'trades.jsonl'), 'utf8')).toBe(text(market.trades));
      expect(await readFile(join(dir, 'quotes.jsonl'), 'utf8')).toBe(text(market.quotes));
      expect(await readFile(join(dir, 'sentiment_posts.jsonl'), 'utf8')).toBe(text(market.posts));
      expect(written.files.find((f) => f.dataset === 'trades')?.records).toBe(market.trades.length);
      expect(market.badRecords.trades).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
