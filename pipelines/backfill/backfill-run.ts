import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LakeSession, Logger } from '../../layers/index.js';
import { ingestFile } from '../ingest.js';
import type { BackfillPlan, PlannedWork } from './backfill-plan.js';
import { BackfillLedger } from './ledger.js';
import { type FetchUnit, type VendorAdapter, vendorAdapter } from './vendor-adapters.js';
import { VendorClient, type VendorFetcher, type VendorName } from './vendor-http.js';
import type { VendorSettings } from './vendor-settings.js';

export interface WorkResult {
  key: string;
  status: 'done' | 'skipped' | 'missing' | 'failed';
  from: string;
  to: string;
  symbol?: string;
  read: number;
  accepted: number;
  quarantined: number;
  /** Batches actually committed (0 when every batch was already in bronze). */
  committed: number;
  requests: number;
  seconds: number;
  error?: string;
}

export interface BackfillProgress {
  done: number;
  total: number;
  rows: number;
  last: WorkResult;
}

export interface BackfillSummary {
  total: number;
  done: number;
  skipped: number;
  missing: number;
  failed: WorkResult[];
  read: number;
  accepted: number;
  quarantined: number;
  requests: number;
  retries: number;
  throttled: number;
  seconds: number;
  /** Days whose bronze changed (what the model rebuild covers). */
  changedDays: string[];
  results: WorkResult[];
}

export interface RunBackfillOptions {
  /** Parallel downloads (default 4); ingestion into the lake runs one batch at a time. */
  concurrency?: number;
  settings?: VendorSettings;
  /** Overrides the vendor's default rate for this run. */
  requestsPerMinute?: number;
  /** How long one request keeps being retried (default 120 s). */
  retryBudgetMs?: number;
  /** Alpaca `feed` (iex, sip, ...). */
  alpacaFeed?: string;
  logger?: Logger;
  onProgress?: (p: BackfillProgress) => void;
  /** Folder for fetched pages before ingestion (default: a fresh temp folder, removed at the end). */
  spoolDir?: string;
  /** Replace the adapter (tests, bench). */
  adapter?: VendorAdapter;
}

/** A promise chain that lets one task at a time through (ingestion shares one DuckDB session). */
function serial() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Fetch a unit's pages into a spool file the vendor's own ingest format reads. */
async function spoolUnit(
  client: VendorFetcher,
  adapter: VendorAdapter,
  unit: FetchUnit,
  dir: string,
): Promise<{ file: string; lines: number }> {
  const file = join(
    dir,
    `${unit.source}-${unit.dataset}-${unit.symbol}-${unit.from}-${unit.to}.${adapter.extension(unit)}`,
  );
  const out = createWriteStream(file);
  let lines = 0;
  try {
    for await (const page of adapter.pages(client, unit)) {
      for (const line of adapter.lines(page, unit)) {
        lines += 1;
        if (!out.write(`${line}\n`)) await once(out, 'drain');
      }
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { file, lines };
}

/**
 * Run a plan: files are ingested, vendor units fetched (at most `concurrency` at once, each
 * vendor's rate shared by all) and ingested through the same contracts as files, one batch at a
 * time. Each finished piece is written to the ledger after its batch committed, so an interrupted
 * backfill resumes where it stopped. A failed piece does not stop the others.
 */
export async function runBackfill(
  session: LakeSession,
  plan: BackfillPlan,
  options: RunBackfillOptions = {},
): Promise<BackfillSummary> {
  const started = Date.now();
  const ledger = new BackfillLedger(session.lake.store);
  const clients = new Map<VendorName, VendorClient>();
  const clientFor = (vendor: VendorName): VendorClient => {
    let c = clients.get(vendor);
    if (!c) {
      const s = options.settings?.[vendor];
      c = new VendorClient({
        vendor,
        baseUrl: s?.baseUrl ?? '',
        ...(s?.headers ? { headers: s.headers } : {}),
        ...((options.requestsPerMinute ?? s?.requestsPerMinute)
          ? { requestsPerMinute: options.requestsPerMinute ?? s?.requestsPerMinute }
          : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.retryBudgetMs !== undefined ? { retryBudgetMs: options.retryBudgetMs } : {}),
      });
      clients.set(vendor, c);
    }
    return c;
  };
  const ingestOne = serial();
  const spool = options.spoolDir ?? (await mkdtemp(join(tmpdir(), 'marketlake-backfill-')));
  const results: WorkResult[] = [];
  let rows = 0;
  const report = (r: WorkResult) => {
    results.push(r);
    rows += r.read;
    options.onProgress?.({ done: results.length, total: plan.items.length, rows, last: r });
  };

  const runItem = async (item: PlannedWork): Promise<WorkResult> => {
    const base = {
      key: item.key,
      from: item.from,
      to: item.to,
      ...(item.symbol ? { symbol: item.symbol } : {}),
    };
    const zero = { read: 0, accepted: 0, quarantined: 0, committed: 0, requests: 0, seconds: 0 };
    if (item.action === 'skip') return { ...base, ...zero, status: 'skipped' };
    if (item.action === 'missing') return { ...base, ...zero, status: 'missing' };
    const t0 = Date.now();
    const sums = { ...zero, hashes: [] as string[] };
    const add = (r: Awaited<ReturnType<typeof ingestFile>>) => {
      sums.read += r.read;
      sums.accepted += r.accepted;
      sums.quarantined += r.quarantined;
      if (!r.duplicateBatch) sums.committed += 1;
      sums.hashes.push(r.contentHash);
    };
    try {
      if (item.files && item.flags) {
        const flags = item.flags;
        for (const f of item.files) add(await ingestOne(() => ingestFile(session, item.dataset, f, flags)));
      } else if (item.unit) {
        const unit = item.unit;
        const adapter =
          options.adapter ??
          vendorAdapter(unit.source, options.alpacaFeed ? { alpacaFeed: options.alpacaFeed } : {});
        // Its own count: other units share the client (and its pace) at the same time.
        const client = clientFor(unit.source).counted();
        const { file, lines } = await spoolUnit(client, adapter, unit, spool);
        sums.requests = client.requests;
        try {
          // Nothing in the range (a weekend, a holiday): nothing to commit, but the work is done.
          if (lines > 0)
            add(await ingestOne(() => ingestFile(session, item.dataset, file, adapter.flags(unit))));
        } finally {
          await rm(file, { force: true });
        }
      }
      const seconds = (Date.now() - t0) / 1000;
      await ledger.put({
        key: item.key,
        source: item.source,
        dataset: item.dataset,
        finishedAt: new Date().toISOString(),
        read: sums.read,
        accepted: sums.accepted,
        quarantined: sums.quarantined,
        requests: sums.requests,
        seconds,
        contentHashes: sums.hashes,
        ...(item.inputHashes ? { inputHashes: item.inputHashes } : {}),
      });
      return {
        ...base,
        status: 'done',
        read: sums.read,
        accepted: sums.accepted,
        quarantined: sums.quarantined,
        committed: sums.committed,
        requests: sums.requests,
        seconds,
      };
    } catch (err) {
      options.logger?.error({ key: item.key, err }, 'backfill work failed');
      return {
        ...base,
        ...zero,
        status: 'failed',
        seconds: (Date.now() - t0) / 1000,
        error: (err as Error).message,
      };
    }
  };

  try {
    const queue = [...plan.items];
    const workers = Array.from({ length: Math.max(1, options.concurrency ?? 4) }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) report(await runItem(item));
    });
    await Promise.all(workers);
  } finally {
    if (!options.spoolDir) await rm(spool, { recursive: true, force: true });
  }
  const changed = new Set<string>();
  for (const r of results)
    if (r.status === 'done' && r.committed > 0 && r.accepted > 0)
      for (const d of daysOf(r.from, r.to)) changed.add(d);
  const stats = [...clients.values()].map((c) => c.stats);
  const count = (s: WorkResult['status']) => results.filter((r) => r.status === s).length;
  return {
    total: plan.items.length,
    done: count('done'),
    skipped: count('skipped'),
    missing: count('missing'),
    failed: results.filter((r) => r.status === 'failed'),
    read: results.reduce((s, r) => s + r.read, 0),
    accepted: results.reduce((s, r) => s + r.accepted, 0),
    quarantined: results.reduce((s, r) => s + r.quarantined, 0),
    requests: stats.reduce((s, c) => s + c.requests, 0),
    retries: stats.reduce((s, c) => s + c.retries, 0),
    throttled: stats.reduce((s, c) => s + c.throttled, 0),
    seconds: (Date.now() - started) / 1000,
    changedDays: [...changed].sort(),
    results,
  };
}
