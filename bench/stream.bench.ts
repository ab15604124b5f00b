import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createLogger, LakeSession, openLake } from '../layers/index.js';
import type { AlpacaSimulatorStats } from '../pipelines/index.js';
import { alpacaFeed, type BatchSink, LakeCommitter, runStream } from '../streaming/index.js';
import type { BenchResult } from './report.js';

/**
 * `npm run bench -- stream`: simulator (its own process) → WebSocket on loopback → stream worker →
 * bronze, trades only, BENCH_STREAM_SECONDS per rate (default 20) at rising rates
 * (BENCH_STREAM_RATES, default 25000,50000,100000,150000). Zero loss = every trade the simulator
 * sent is in bronze exactly once, and p99 event→commit within 5 s (the worker keeps up). Delay = commit done minus the trade's event
 * time (the simulator stamps event times from the clock). The limit: a client that receives the
 * same feed and only counts messages.
 */
const SIM = `
const { startAlpacaSimulator } = await import(process.argv[1]);
const sim = await startAlpacaSimulator({ port: 0, key: 'k', secret: 's', tradesPerSecond: Number(process.argv[2]), quotesPerTrade: 0 });
console.log(JSON.stringify({ url: sim.url }));
process.on('SIGTERM', async () => { console.log(JSON.stringify(sim.stats())); await sim.close(); process.exit(0); });
`;

interface SimProcess {
  url: string;
  stop(): Promise<AlpacaSimulatorStats>;
}

async function startSim(rate: number): Promise<SimProcess> {
  const module = new URL('../pipelines/simulator/index.js', import.meta.url).href;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--input-type=module', '-e', SIM, module, String(rate)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: string[] = [];
  let waiter: (() => void) | undefined;
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
    waiter?.();
  });
  const nextLine = async () => {
    while (!lines.length) await new Promise<void>((r) => (waiter = r));
    return lines.shift() as string;
  };
  const { url } = JSON.parse(await nextLine()) as { url: string };
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      return JSON.parse(await nextLine()) as AlpacaSimulatorStats;
    },
  };
}

/** The limit: receive the feed, parse nothing, count trades (a cheap scan of `"T":"t"`). */
async function countOnly(rate: number, seconds: number): Promise<number> {
  const sim = await startSim(rate);
  let trades = 0;
  const ws = new WebSocket(sim.url);
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    if (text.includes('"connected"')) ws.send(JSON.stringify({ action: 'auth', key: 'k', secret: 's' }));
    else if (text.includes('"authenticated"'))
      ws.send(JSON.stringify({ action: 'subscribe', trades: ['*'] }));
    let i = text.indexOf('"T":"t"');
    while (i >= 0) {
      trades += 1;
      i = text.indexOf('"T":"t"', i + 7);
    }
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  ws.close();
  await sim.stop();
  return trades / seconds;
}

interface Run {
  rate: number;
  sent: number;
  stored: number;
  distinct: number;
  reconnects: number;
  p50: number;
  p99: number;
  peakRssMb: number;
  perSecond: number;
}

async function streamRun(rate: number, seconds: number): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-stream-'));
  const lake = openLake({ lakeUrl: dir });
  const session = await LakeSession.open(lake);
  const logger = createLogger({ level: 'silent', json: true });
  const committer = new LakeCommitter({ session, logger, source: 'stream:alpaca', compactEvery: 0 });
  const delays: number[] = [];
  const sink: BatchSink = {
    write: async (records) => {
      await committer.commit(records);
      const done = Date.now();
      for (let i = 0; i < records.length; i += 10) {
        const at = (records[i]?.record.value as { event_at?: string } | undefined)?.event_at;
        if (at) delays.push(done - Date.parse(at));
      }
    },
  };
  const sim = await startSim(rate);
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const controller = new AbortController();
  const started = performance.now();
  const running = runStream({
    feed: alpacaFeed({ url: sim.url, key: 'k', secret: 's', trades: ['*'], quotes: [], bars: [] }),
    logger,
    sink,
    signal: controller.signal,
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const stats = await sim.stop();
  // Drain what was sent before the stop (in flight or waiting behind backpressure), then stop.
  for (let last = -1; committer.stats.records !== last; ) {
    last = committer.stats.records;
    await new Promise((r) => setTimeout(r, 3000));
  }
  const elapsed = (performance.now() - started) / 1000;
  controller.abort();
  const summary = await running;
  clearInterval(sampler);
  const reader = await LakeSession.open(lake);
  const [row] = await reader.all<{ n: string; d: string }>(
    'SELECT count(*) n, count(DISTINCT (symbol, trade_id)) d FROM bronze.trades',
  );
  reader.close();
  session.close();
  await lake.close();
  await rm(dir, { recursive: true, force: true });
  delays.sort((a, b) => a - b);
  const q = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))] ?? Number.NaN;
  return {
    rate,
    sent: stats.tradesSent,
    stored: Number(row?.n),
    distinct: Number(row?.d),
    reconnects: summary.reconnects, // including the retries after the simulator stopped
    p50: q(0.5),
    p99: q(0.99),
    peakRssMb: peak / 1024 / 1024,
    perSecond: Number(row?.n) / elapsed,
  };
}

export async function benchStream(seconds: number, rates: readonly number[]): Promise<BenchResult[]> {
  const runs: Run[] = [];
  for (const rate of rates) {
    const run = await streamRun(rate, seconds);
    runs.push(run);
    process.stdout.write(
      `  rate ${rate}/s: sent ${run.sent}, in bronze ${run.stored} (${run.distinct} distinct), reconnects ${run.reconnects}, p50 ${run.p50} ms, p99 ${run.p99} ms, peak RSS ${run.peakRssMb.toFixed(0)} MB\n`,
    );
  }
  // Kept up: every trade sent in bronze once (a drop mid-run would lose trades: the feed does not
  // replay) and p99 within 5 s. Reconnects are not a criterion: the worker retries once the
  // simulator has stopped, while the bench drains.
  const zeroLoss = runs.filter(
    (r) => r.sent > 0 && r.stored === r.sent && r.distinct === r.sent && r.p99 <= 5000,
  );
  const best = zeroLoss.at(-1);
  const top = Math.max(...rates);
  const limit = await countOnly(top, seconds);
  return [
    {
      name: `stream direct: highest rate with zero loss (${seconds} s per rate, trades only)`,
      unit: 'trades/s',
      value: best?.rate ?? 0,
      limit,
      limitName: `count-only client at ${top}/s offered`,
      note: best
        ? `p50 ${best.p50} ms, p99 ${best.p99} ms event→commit; peak RSS ${best.peakRssMb.toFixed(0)} MB`
        : 'no rate without loss',
    },
    ...(best
      ? [
          {
            name: 'stream direct: p99 event→commit at that rate',
            unit: 'ms',
            value: best.p99,
            limit: 2000,
            limitName: 'target',
            lowerIsBetter: true,
          },
        ]
      : []),
  ];
}
