import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { type LiveMarketOptions, type LiveTick, liveMarket } from './live-market.js';
import { SeededRng } from './rng.js';

/** Options of {@link startAlpacaSimulator}. */
export interface AlpacaSimulatorOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Credentials the `auth` action must carry; anything else gets error 402 and the socket closes. */
  key: string;
  secret: string;
  /** Trades per wall-clock second, all symbols (1..200,000). */
  tradesPerSecond: number;
  /** Market seconds per wall second (default 1: event times follow the clock). */
  speed?: number;
  /** Event time of the first tick, epoch ms; default: the moment the first client subscribes. */
  startMs?: number;
  seed?: number;
  quotesPerTrade?: number;
  anomalies?: LiveMarketOptions['anomalies'];
  symbols?: LiveMarketOptions['symbols'];
  /** Stop after this many trades (the feed then stays open and silent). */
  maxTrades?: number;
  /** Share of trades sent late (out of order), default 0. */
  lateShare?: number;
  /** How late, at most, in event-time milliseconds (default 2,000). */
  lateMaxMs?: number;
  /** Messages per frame at most (default 1,000). */
  maxBatch?: number;
  /** A client whose unsent bytes pass this is cut off as too slow (error 407), default 64 MB. */
  maxBufferedBytes?: number;
}

export interface AlpacaSimulatorStats {
  tradesGenerated: number;
  tradesSent: number;
  /** Trades generated while no client was subscribed to them (a real feed does not replay either). */
  tradesUnsent: number;
  quotesSent: number;
  barsSent: number;
  frames: number;
  connections: number;
  /** Event time (ISO) of the last trade sent, if any. */
  lastTradeAt: string | undefined;
}

export interface AlpacaSimulator {
  readonly port: number;
  readonly url: string;
  stats(): AlpacaSimulatorStats;
  /** Cut the current client off (a dropped connection, for tests). */
  dropClient(): void;
  /** Send one raw frame to the current client (hostile-frame tests). */
  sendRaw(frame: string | Buffer): void;
  close(): Promise<void>;
}

type Channel = 'trades' | 'quotes' | 'bars';
const CHANNELS: readonly Channel[] = ['trades', 'quotes', 'bars'];

interface Client {
  ws: WebSocket;
  authenticated: boolean;
  subs: Record<Channel, Set<string>>;
}

interface BarState {
  minute: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  pv: number;
}

const err = (code: number, msg: string) => JSON.stringify([{ T: 'error', code, msg }]);

/**
 * The simulated market on Alpaca's market-data v2 WebSocket protocol, on loopback: the `connected`
 * greeting, `auth` (402 and close on wrong keys, 404 after 10 s without), `subscribe`/`unsubscribe`
 * of trades, quotes and bars by symbol or `*` with the `subscription` reply, data as JSON arrays of
 * `t`/`q`/`b` messages batched per frame, 400 for a bad message, 401 before auth, 403 for a second
 * auth, 406 for a second connection, 407 for a client too slow to keep up (memory stays bounded).
 * The market clock starts when the first client subscribes (or at `startMs`) and runs on whether
 * or not a client listens: what nobody receives is gone, as on the real feed.
 */
export async function startAlpacaSimulator(options: AlpacaSimulatorOptions): Promise<AlpacaSimulator> {
  const rate = options.tradesPerSecond;
  if (!(rate >= 1 && rate <= 200_000)) throw new RangeError('tradesPerSecond must be within 1..200,000');
  const speed = options.speed ?? 1;
  const maxBatch = options.maxBatch ?? 1000;
  const maxBuffered = options.maxBufferedBytes ?? 64 * 1024 * 1024;
  const lateShare = options.lateShare ?? 0;
  const lateMaxMicros = (options.lateMaxMs ?? 2000) * 1000;
  const lateRng = SeededRng.derive(options.seed ?? 42, 'live-late');
  const stats: AlpacaSimulatorStats = {
    tradesGenerated: 0,
    tradesSent: 0,
    tradesUnsent: 0,
    quotesSent: 0,
    barsSent: 0,
    frames: 0,
    connections: 0,
    lastTradeAt: undefined,
  };
  let client: Client | undefined;
  let market: Generator<LiveTick> | undefined;
  let pending: LiveTick | undefined;
  let startWall = 0;
  let startMicros = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const late: { release: number; tick: LiveTick }[] = [];
  const bars = new Map<string, BarState>();

  const wss = new WebSocketServer({ host: '127.0.0.1', port: options.port, maxPayload: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const port = (wss.address() as AddressInfo).port;

  const startMarket = () => {
    if (market) return;
    startWall = performance.now();
    startMicros = (options.startMs ?? Date.now()) * 1000;
    market = liveMarket({
      startMicros,
      tradesPerSecond: rate / speed,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.quotesPerTrade !== undefined ? { quotesPerTrade: options.quotesPerTrade } : {}),
      ...(options.anomalies ? { anomalies: options.anomalies } : {}),
      ...(options.symbols ? { symbols: options.symbols } : {}),
    });
    timer = setInterval(pump, 10);
  };

  const wants = (channel: Channel, symbol: string): boolean => {
    const s = client?.subs[channel];
    return !!s && (s.has('*') || s.has(symbol));
  };

  /** Close the minute bars of minutes before `minute`. */
  const closeBars = (minute: number, out: Record<string, unknown>[]) => {
    for (const [symbol, b] of bars) {
      if (b.minute >= minute) continue;
      bars.delete(symbol);
      if (!wants('bars', symbol)) continue;
      out.push({
        T: 'b',
        S: symbol,
        o: b.o,
        h: b.h,
        l: b.l,
        c: b.c,
        v: b.v,
        t: new Date(b.minute * 60_000).toISOString().replace('.000Z', 'Z'),
        n: b.n,
        vw: b.pv / b.v,
      });
      stats.barsSent += 1;
    }
  };

  const send = (out: Record<string, unknown>[]) => {
    const ws = client?.ws;
    for (let i = 0; i < out.length; i += maxBatch) {
      if (!ws || ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(out.slice(i, i + maxBatch)));
      stats.frames += 1;
    }
    if (ws && ws.bufferedAmount > maxBuffered) {
      ws.send(err(407, 'slow client'));
      ws.close();
    }
  };

  const deliver = (tick: LiveTick, out: Record<string, unknown>[]) => {
    const m = tick.message;
    const symbol = m.S as string;
    if (m.T === 't') {
      const minute = Math.floor(tick.atMicros / 60_000_000);
      const b = bars.get(symbol);
      const p = m.p as number;
      const s = m.s as number;
      if (!b || b.minute !== minute)
        bars.set(symbol, { minute, o: p, h: p, l: p, c: p, v: s, n: 1, pv: p * s });
      else {
        b.h = Math.max(b.h, p);
        b.l = Math.min(b.l, p);
        b.c = p;
        b.v += s;
        b.n += 1;
        b.pv += p * s;
      }
      if (wants('trades', symbol)) {
        out.push(m);
        stats.tradesSent += 1;
        stats.lastTradeAt = m.t as string;
      } else stats.tradesUnsent += 1;
    } else if (wants('quotes', symbol)) {
      out.push(m);
      stats.quotesSent += 1;
    }
  };

  function pump(): void {
    if (!market) return;
    const now = startMicros + (performance.now() - startWall) * 1000 * speed;
    const out: Record<string, unknown>[] = [];
    closeBars(Math.floor(now / 60_000_000), out);
    while (late.length && (late[0] as { release: number }).release <= now) deliver(late.shift()!.tick, out);
    while (options.maxTrades === undefined || stats.tradesGenerated < options.maxTrades) {
      pending ??= market.next().value as LiveTick;
      if (pending.atMicros > now) break;
      const tick = pending;
      pending = undefined;
      if (tick.message.T === 't') {
        stats.tradesGenerated += 1;
        if (lateShare > 0 && lateRng.chance(lateShare)) {
          const release = tick.atMicros + lateRng.float() * lateMaxMicros;
          const at = late.findIndex((l) => l.release > release);
          late.splice(at < 0 ? late.length : at, 0, { release, tick });
          continue;
        }
      }
      deliver(tick, out);
      if (out.length >= 50 * maxBatch) break; // at most ~50 frames per pump; the rest next time
    }
    if (out.length) send(out);
  }

  wss.on('connection', (ws) => {
    if (client && client.ws.readyState === client.ws.OPEN) {
      ws.send(err(406, 'connection limit exceeded'));
      ws.close();
      return;
    }
    stats.connections += 1;
    const me: Client = {
      ws,
      authenticated: false,
      subs: { trades: new Set(), quotes: new Set(), bars: new Set() },
    };
    client = me;
    ws.send(JSON.stringify([{ T: 'success', msg: 'connected' }]));
    const authTimer = setTimeout(() => {
      if (!me.authenticated) {
        ws.send(err(404, 'auth timeout'));
        ws.close();
      }
    }, 10_000);
    ws.on('close', () => {
      clearTimeout(authTimer);
      if (client === me) client = undefined;
    });
    ws.on('error', () => {});
    ws.on('message', (data) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString());
        if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new Error('not an object');
      } catch {
        ws.send(err(400, 'invalid syntax'));
        return;
      }
      if (msg.action === 'auth') {
        if (me.authenticated) return void ws.send(err(403, 'already authenticated'));
        if (msg.key !== options.key || msg.secret !== options.secret) {
          ws.send(err(402, 'auth failed'));
          ws.close();
          return;
        }
        me.authenticated = true;
        ws.send(JSON.stringify([{ T: 'success', msg: 'authenticated' }]));
        return;
      }
      if (msg.action !== 'subscribe' && msg.action !== 'unsubscribe')
        return void ws.send(err(400, 'invalid syntax'));
      if (!me.authenticated) return void ws.send(err(401, 'not authenticated'));
      for (const ch of CHANNELS) {
        const list = msg[ch];
        if (list === undefined) continue;
        if (!Array.isArray(list) || !list.every((s) => typeof s === 'string'))
          return void ws.send(err(400, 'invalid syntax'));
        for (const s of list as string[]) {
          if (msg.action === 'subscribe') me.subs[ch].add(s);
          else me.subs[ch].delete(s);
        }
      }
      const reply: Record<string, unknown> = { T: 'subscription' };
      for (const ch of CHANNELS) reply[ch] = [...me.subs[ch]];
      ws.send(JSON.stringify([reply]));
      if (CHANNELS.some((ch) => me.subs[ch].size > 0)) startMarket();
    });
  });

  return {
    port,
    url: `ws://127.0.0.1:${port}/v2/sim`,
    stats: () => ({ ...stats }),
    dropClient: () => {
      const dropped = client;
      if (!dropped) return;
      client = undefined; // nothing more is sent to it: what the market makes meanwhile is unsent
      // Abrupt (no close frame), but only once what was counted as sent has left the process:
      // terminate() discards the socket's user-space buffer, frames the stats call sent.
      const started = Date.now();
      const drop = () => {
        if (dropped.ws.bufferedAmount === 0 || Date.now() - started > 5_000) dropped.ws.terminate();
        else setTimeout(drop, 5);
      };
      drop();
    },
    sendRaw: (frame) => client?.ws.send(frame),
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      // A graceful close: frames already queued still reach the client (nothing sent is lost).
      for (const ws of wss.clients) ws.close(1001, 'simulator stopping');
      const force = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
      }, 30_000);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(force);
    },
  };
}
