import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession, type StreamGap } from '../../layers/index.js';
import { runModels } from '../../orchestrator/index.js';
import {
  type AlpacaSimulator,
  type AlpacaSimulatorStats,
  fromValues,
  simulateMarket,
  startAlpacaSimulator,
  writeBronzeBatch,
} from '../../pipelines/index.js';
import {
  alpacaFeed,
  committerSink,
  LakeCommitter,
  type LiveAlert,
  runStream,
  type StreamSummary,
} from '../../streaming/index.js';
import { tempLake } from '../helpers/temp-lake.js';

/**
 * The stream worker against the simulator's Alpaca-protocol feed on loopback: a simulated session
 * with injected anomalies and out-of-order ticks, a dropped connection, hostile frames. Everything
 * sent lands in bronze exactly once, hostile frames in the quarantine with a reason, the gap in the
 * catalog, and the live windows find exactly the alerts gold.fact_alerts finds on the same trades.
 */
const logger = createLogger({ level: 'silent', json: true });
const START = '2024-03-04T15:00:00Z'; // 10:00 New York, regular session
const ANOMALIES = [
  { kind: 'price_move', symbol: 'AAPL', minute: 11, rule: 'price_move_1m' },
  { kind: 'volume_burst', symbol: 'MSFT', minute: 12, rule: 'volume_spike' },
  { kind: 'high_low_swing', symbol: 'NVDA', minute: 13, rule: 'high_low_swing_1m' },
] as const;
const TRADES = 16_000;

describe('stream --source alpaca from the simulator (direct mode)', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let session: LakeSession;
  let sim: AlpacaSimulator;
  let summary: StreamSummary;
  let stats: AlpacaSimulatorStats;
  let committer: LakeCommitter;
  const published: LiveAlert[] = [];
  let bars = 0;

  beforeAll(async () => {
    env = await tempLake();
    session = await LakeSession.open(env.lake);
    sim = await startAlpacaSimulator({
      port: 0,
      key: 'k',
      secret: 's',
      tradesPerSecond: 4000,
      speed: 300,
      startMs: Date.parse(START),
      maxTrades: TRADES,
      anomalies: ANOMALIES.map(({ kind, symbol, minute }) => ({ kind, symbol, minute })),
      lateShare: 0.02,
      lateMaxMs: 2000,
    });
    committer = new LakeCommitter({
      session,
      logger,
      source: 'stream:alpaca',
      allowedLatenessMs: 5000,
      publish: (kind, event) => {
        if (kind === 'alerts') published.push(event as LiveAlert);
        if (kind === 'bars') bars += 1;
      },
    });
    const controller = new AbortController();
    const running = runStream({
      feed: alpacaFeed({ url: sim.url, key: 'k', secret: 's' }),
      logger,
      sink: committerSink(committer),
      gaps: env.lake.streamGaps,
      signal: controller.signal,
      flushIntervalMs: 300,
      idleCloseMs: 1500,
      reconnectInitialMs: 100,
    });
    // A wait that names what it waited for and the state it saw, rather than hanging the hook.
    const waitFor = async (ok: () => boolean, what: string) => {
      const deadline = Date.now() + 120_000;
      while (!ok()) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}: simulator ${JSON.stringify(sim.stats())}, committed ${JSON.stringify(committer.stats)}, open windows ${committer.windows.openWindows}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // Drop the connection once a few minutes of market went by (before the anomalies).
    await waitFor(() => sim.stats().tradesSent > 3000, 'the first trades');
    sim.dropClient();
    await waitFor(() => sim.stats().connections >= 2 && sim.stats().tradesSent > 6000, 'the reconnect');
    const trade =
      '{"T":"t","S":"AAPL","i":1,"x":"V","p":1,"s":1,"t":"2024-03-04T15:05:00Z","c":["@"],"z":"C"}';
    for (const hostile of [
      '{"T":"t","S":"AAPL"', // malformed JSON
      trade, // an object where an array is expected
      '[{"T":"zz","S":"AAPL"}]', // unknown type
      `[${' '.repeat(10 * 1024 * 1024)}]`, // a 10 MB frame
      trade.replace('"p":1', '"p":NaN').replace(/^/, '[').replace(/$/, ']'), // NaN is no JSON
      `[${trade.replace('"AAPL"', '"../../etc"')}]`, // a symbol that would escape the lake
    ])
      sim.sendRaw(hostile);
    await waitFor(() => sim.stats().tradesGenerated >= TRADES, 'every trade generated');
    await waitFor(
      () => committer.windows.openWindows === 0 && committer.stats.records >= summaryRecords(),
      'every sent record committed and the windows closed',
    );
    controller.abort();
    summary = await running;
    stats = sim.stats();
    await sim.close();
    await writeBronzeBatch(
      session,
      'symbol_refs',
      fromValues(
        simulateMarket({
          days: 1,
          startDate: '2024-03-04',
          tradesPerSymbolDay: 0,
          quotesPerSymbolDay: 0,
          postsPerSymbolDay: 0,
        }).symbolRefs,
      ),
      { source: 'test' },
    );
    const tasks = await runModels(session, logger, { selectors: ['+gold.fact_alerts'] });
    expect(tasks.filter((t) => t.status !== 'succeeded')).toEqual([]);

    function summaryRecords() {
      const s = sim.stats();
      return s.tradesSent + s.quotesSent + s.barsSent;
    }
  }, 180_000);

  afterAll(async () => {
    await sim?.close();
    session?.close();
    await env?.cleanup();
  });

  it('lands every trade sent in bronze exactly once', async () => {
    const [row] = await session.all<{ n: string; distinct_ids: string }>(
      "SELECT count(*) AS n, count(DISTINCT (symbol, trade_id)) AS distinct_ids FROM bronze.trades WHERE symbol <> 'AAPL' OR trade_id <> '1'",
    );
    expect(Number(row?.n)).toBe(stats.tradesSent);
    expect(Number(row?.distinct_ids)).toBe(stats.tradesSent);
    expect(stats.tradesUnsent).toBeGreaterThan(0); // the drop lost some: they are the gap
    expect(summary.reconnects).toBe(1);
  });

  it('quarantines every hostile frame with its reason and keeps running', async () => {
    const rows = await session.all<{ reason: string; raw: string }>(
      'SELECT reason, raw FROM quarantine.trades',
    );
    const reasons = rows.map((r) => r.reason).join('\n');
    expect(rows).toHaveLength(6);
    expect(reasons).toMatch(/malformed JSON frame/);
    expect(reasons).toMatch(/expected an array of alpaca messages, got object/);
    expect(reasons).toMatch(/unknown alpaca message type "zz"/);
    expect(reasons).toMatch(/exceeds the 4194304 limit/);
    expect(rows.find((r) => r.raw.includes('../../etc'))?.reason).toMatch(/symbol/);
    expect(Number((await session.all<{ n: string }>('SELECT count(*) n FROM bronze.quotes'))[0]?.n)).toBe(
      stats.quotesSent,
    );
  });

  it('records the gap of the dropped connection in the catalog', async () => {
    const gaps: StreamGap[] = await env.lake.streamGaps.list();
    const trades = gaps.find((g) => g.dataset === 'trades');
    expect(trades).toMatchObject({ source: 'alpaca', symbol: null, filledAt: null });
    expect(Date.parse(trades!.gapTo)).toBeGreaterThan(Date.parse(trades!.gapFrom));
    // Nothing was committed inside the gap.
    const [inside] = await session.all<{ n: string }>(
      'SELECT count(*) n FROM bronze.trades WHERE event_at > $from::TIMESTAMPTZ AND event_at < $to::TIMESTAMPTZ',
      { from: trades!.gapFrom, to: trades!.gapTo },
    );
    expect(Number(inside?.n)).toBe(0);
  });

  it('finds the injected anomalies live, exactly as gold.fact_alerts does on the same trades', async () => {
    const key = (a: { symbol: string; bar_start_at: string; rule: string }) =>
      `${a.symbol} ${new Date(a.bar_start_at).toISOString()} ${a.rule}`;
    const startMinute = Date.parse(START);
    for (const a of ANOMALIES) {
      const at = new Date(startMinute + a.minute * 60_000).toISOString();
      expect(published.map(key)).toContain(`${a.symbol} ${at} ${a.rule}`);
    }
    const query = (table: string) =>
      session.all<{
        symbol: string;
        bar_start_at: string;
        rule: string;
        observed_value: number | null;
        close: number | null;
        volume: number;
      }>(
        `SELECT symbol, strftime(bar_start_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS bar_start_at, rule, observed_value, close, volume FROM ${table} ORDER BY 2, 1, 3`,
      );
    const batch = await query('gold.fact_alerts');
    const live = await query('gold.live_alerts');
    expect(live.map(key)).toEqual(batch.map(key));
    live.forEach((l, i) => {
      const b = batch[i]!;
      expect(l.volume).toBe(b.volume);
      expect(l.close).toBe(b.close);
      if (b.observed_value !== null) expect(l.observed_value).toBeCloseTo(b.observed_value, 9);
    });
    expect(published).toHaveLength(live.length);
    expect(bars).toBeGreaterThan(100);
    expect(committer.stats.lateTicks).toBe(0);
  });
});
