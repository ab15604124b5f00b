import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LakeSession, openLake } from '../layers/index.js';
import {
  type BackfillRequest,
  type BackfillSummary,
  planBackfill,
  runBackfill,
  vendorSettingsFromEnv,
} from '../pipelines/index.js';
import { startVendorServer, type VendorServer } from '../test/support/vendor-server.js';
import type { BenchResult } from './report.js';

const SYMBOLS = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26)}`);

async function ours(server: VendorServer, req: BackfillRequest, concurrency: number) {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-backfill-'));
  const lake = openLake({ lakeUrl: dir });
  const settings = vendorSettingsFromEnv({
    ALPACA_DATA_URL: server.url,
    APCA_API_KEY_ID: 'bench',
    APCA_API_SECRET_KEY: 'bench',
    BACKFILL_RPM_ALPACA: '10000000',
  });
  const session = await LakeSession.open(lake);
  try {
    server.log.length = 0;
    const t0 = performance.now();
    const plan = await planBackfill(lake, req);
    const summary: BackfillSummary = await runBackfill(session, plan, { settings, concurrency });
    const seconds = (performance.now() - t0) / 1000;
    const urls = server.log.map((r) => `${server.url}${r.path}?${new URLSearchParams(r.query)}`);
    return { summary, seconds, urls };
  } finally {
    session.close();
    await lake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The limit: the very same requests, `concurrency` at a time, bodies read and thrown away. */
async function fetchOnly(urls: string[], concurrency: number, headers: Record<string, string>) {
  const queue = [...urls];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let u = queue.shift(); u; u = queue.shift()) await (await fetch(u, { headers })).text();
    }),
  );
  return (performance.now() - t0) / 1000;
}

/**
 * `npm run bench -- backfill`: a year of daily bars for 50 symbols and a week of trades for 10
 * symbols (Alpaca v2 shapes) from the local vendor server, through the whole backfill (plan, fetch
 * with paging, spool, contracts, bronze commit, ledger), against the same requests fetched and
 * discarded at the same concurrency.
 */
export async function benchBackfill(tradesPerDay: number, concurrency: number): Promise<BenchResult[]> {
  const keys = { id: 'bench', secret: 'bench' };
  const server = await startVendorServer({ tradesPerDay, alpacaKeys: keys });
  const headers = { 'APCA-API-KEY-ID': keys.id, 'APCA-API-SECRET-KEY': keys.secret };
  const out: BenchResult[] = [];
  try {
    const cases: [string, BackfillRequest][] = [
      [
        'backfill: a year of daily bars, 50 symbols (alpaca, a year per request series)',
        {
          from: '2023-01-01',
          to: '2023-12-31',
          vendor: { source: 'alpaca', dataset: 'bars', symbols: SYMBOLS(50, 'B'), interval: '1d' },
        },
      ],
      [
        `backfill: a week of trades, 10 symbols, ${tradesPerDay.toLocaleString('en-US')} trades per symbol-day (alpaca)`,
        {
          from: '2023-03-06',
          to: '2023-03-12',
          vendor: { source: 'alpaca', dataset: 'trades', symbols: SYMBOLS(10, 'T') },
        },
      ],
    ];
    for (const [name, req] of cases) {
      const r = await ours(server, req, concurrency);
      const limitSeconds = await fetchOnly(r.urls, concurrency, headers);
      const s = r.summary;
      out.push({
        name: `${name}: rows/s`,
        unit: 'rows/s',
        value: s.accepted / r.seconds,
        limit: s.accepted / limitSeconds,
        limitName: 'same requests fetched and discarded',
        note: `${s.accepted.toLocaleString('en-US')} rows, ${s.requests} requests, ${s.done} units, ${s.failed.length} failed, concurrency ${concurrency}: ${r.seconds.toFixed(1)} s vs ${limitSeconds.toFixed(2)} s${s.failed[0] ? `; first failure: ${s.failed[0].error}` : ''}`,
      });
      out.push({
        name: `${name}: requests/s`,
        unit: 'requests/s',
        value: s.requests / r.seconds,
        limit: r.urls.length / limitSeconds,
        limitName: 'same requests fetched and discarded',
      });
    }
  } finally {
    await server.close();
  }
  return out;
}
