import type { DatasetName } from '../../contracts/index.js';
import { type Lake, type StreamGap, UsageError } from '../../layers/index.js';
import { scanFile } from '../bronze/file-scan.js';
import type { IngestFlags } from '../ingest.js';
import { daysBetween, expandFilePattern } from './date-pattern.js';
import { BackfillLedger, type LedgerEntry } from './ledger.js';
import {
  BACKFILL_DATASETS,
  type BackfillDataset,
  type BackfillInterval,
  type FetchUnit,
} from './vendor-adapters.js';
import { DEFAULT_REQUESTS_PER_MINUTE, VENDORS, type VendorName } from './vendor-http.js';

/** What to backfill: files by a date pattern, or a vendor's history over HTTP. */
export interface BackfillRequest {
  from: string;
  to: string;
  files?: { pattern: string; dataset: DatasetName; flags: IngestFlags };
  vendor?: {
    source: VendorName;
    dataset: BackfillDataset;
    symbols: readonly string[];
    interval?: BackfillInterval;
    requestsPerMinute?: number;
  };
  /** Gaps recorded by the stream worker (`ml_stream_gaps`), each fetched for exactly its time range. */
  gaps?: { gaps: readonly StreamGapRecord[]; symbols?: readonly string[] };
  /** Redo work the ledger says is finished (batches already in bronze stay duplicates unless forced there too). */
  force?: boolean;
}

/** A gap of a live feed as the stream worker records it (catalog table `ml_stream_gaps`). */
export type StreamGapRecord = Omit<StreamGap, 'filledAt'>;

export type WorkAction = 'fetch' | 'ingest' | 'skip' | 'missing';

/** One line of the plan: a day (or a month of daily bars) of one symbol or one file pattern. */
export interface PlannedWork {
  key: string;
  /** First and last day it covers. */
  from: string;
  to: string;
  source: string;
  dataset: DatasetName;
  symbol?: string;
  action: WorkAction;
  /** Why: "not ingested yet", "already ingested 2026-…: 1,234 rows", "forced", "no file matches". */
  reason: string;
  files?: string[];
  /** sha256 of each file, as the ledger keeps them. */
  inputHashes?: string[];
  unit?: FetchUnit;
  flags?: IngestFlags;
  /** The stream gap it fills. */
  gapId?: number;
}

export interface BackfillEstimate {
  rows: number | null;
  seconds: number | null;
  /** What the estimate rests on ("12 past units of alpaca/trades", or why there is none). */
  basis: string;
}

export interface BackfillPlan {
  items: PlannedWork[];
  /** Days of a file pattern with no file. */
  missingDays: string[];
  estimate: BackfillEstimate;
}

const SYMBOL = /^[A-Z0-9][A-Z0-9.-]{0,19}$/;

/** Symbols as vendors spell them, upper case; anything else is refused (they name ledger keys and URLs). */
export function normalizeSymbols(symbols: readonly string[]): string[] {
  const out = [...new Set(symbols.map((s) => s.trim().toUpperCase()).filter(Boolean))];
  const bad = out.filter((s) => !SYMBOL.test(s));
  if (bad.length)
    throw new UsageError(`--symbols: not a symbol: ${bad.map((s) => JSON.stringify(s)).join(', ')}`);
  if (!out.length) throw new UsageError('--symbols: at least one symbol');
  return out;
}

/** Daily bars are fetched a calendar year per request series (one page for a symbol); everything else a day at a time. */
export function unitRanges(from: string, to: string, interval?: BackfillInterval): [string, string][] {
  const days = daysBetween(from, to);
  if (interval !== '1d') return days.map((d) => [d, d]);
  const years = new Map<string, string[]>();
  for (const d of days) years.set(d.slice(0, 4), [...(years.get(d.slice(0, 4)) ?? []), d]);
  return [...years.values()].map((ds) => [ds[0] as string, ds.at(-1) as string]);
}

const done = (e: LedgerEntry) =>
  `already ingested ${e.finishedAt.slice(0, 19)}Z: ${e.accepted} rows, ${e.quarantined} quarantined`;

/**
 * The plan of a backfill, before anything is fetched or written: each day × symbol (or file day)
 * with what will happen and why, and an estimate of rows and time from the ledger of past runs.
 */
export async function planBackfill(lake: Lake, req: BackfillRequest): Promise<BackfillPlan> {
  const ledger = new BackfillLedger(lake.store);
  const items: PlannedWork[] = [];
  const missingDays: string[] = [];
  let prefix: string;
  let rpm: number | undefined;
  if (req.files) {
    const { dataset, flags, pattern } = req.files;
    prefix = `files/${dataset}/`;
    for (const { day, files } of await expandFilePattern(pattern, req.from, req.to)) {
      const base = { key: `${prefix}${day}`, from: day, to: day, source: flags.format, dataset, flags };
      if (!files.length) {
        missingDays.push(day);
        items.push({ ...base, action: 'missing', reason: 'no file matches' });
        continue;
      }
      // Files are known by their content: a day is done when the ledger holds exactly these files.
      const hashes: string[] = [];
      for (const f of files) hashes.push((await scanFile(f)).contentHash);
      const entry = await ledger.get(base.key);
      const same =
        entry?.inputHashes !== undefined &&
        [...entry.inputHashes].sort().join() === [...hashes].sort().join();
      const action: WorkAction = req.force || !same ? 'ingest' : 'skip';
      const reason = req.force
        ? 'forced'
        : same && entry
          ? done(entry)
          : entry
            ? `files changed since ${entry.finishedAt.slice(0, 19)}Z`
            : 'not ingested yet';
      items.push({ ...base, files, inputHashes: hashes, action, reason });
    }
  } else if (req.vendor) {
    const { source, dataset, interval } = req.vendor;
    const symbols = normalizeSymbols(req.vendor.symbols);
    const effective = dataset === 'bars' ? (interval ?? (source === 'binance' ? '1m' : '1d')) : undefined;
    const series = effective ? `bars-${effective}` : dataset;
    prefix = `${source}/${series}/`;
    rpm = req.vendor.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE[source];
    for (const [from, to] of unitRanges(req.from, req.to, effective)) {
      for (const symbol of symbols) {
        const key = `${prefix}${symbol}/${from}_${to}`;
        const unit: FetchUnit = {
          source,
          dataset,
          symbol,
          from,
          to,
          ...(effective ? { interval: effective } : {}),
        };
        const entry = req.force ? undefined : await ledger.get(key);
        items.push({
          key,
          from,
          to,
          source,
          dataset,
          symbol,
          unit,
          action: entry ? 'skip' : 'fetch',
          reason: req.force ? 'forced' : entry ? done(entry) : 'not ingested yet',
        });
      }
    }
  } else if (req.gaps) {
    prefix = 'gaps/';
    for (const gap of req.gaps.gaps) {
      const from = gap.gapFrom.slice(0, 10);
      const to = gap.gapTo.slice(0, 10);
      const base = { from, to, source: gap.source, dataset: gap.dataset as DatasetName, gapId: gap.gapId };
      const why = `stream gap ${gap.gapFrom}..${gap.gapTo} (recorded ${gap.recordedAt})`;
      if (!gap.symbol && !req.gaps.symbols?.length) {
        items.push({
          ...base,
          key: `gaps/${gap.gapId}/*`,
          action: 'skip',
          reason: `${why}: every symbol of the feed: pass --symbols`,
        });
        continue;
      }
      const symbols = normalizeSymbols(gap.symbol ? [gap.symbol] : (req.gaps.symbols ?? []));
      const unsupported = !(VENDORS as readonly string[]).includes(gap.source)
        ? `no history API for source "${gap.source}"`
        : !(BACKFILL_DATASETS as readonly string[]).includes(gap.dataset)
          ? `no history of ${gap.dataset} from ${gap.source}`
          : undefined;
      for (const symbol of symbols) {
        const key = `gaps/${gap.gapId}/${symbol}`;
        if (unsupported) {
          items.push({ ...base, key, symbol, action: 'skip', reason: `${why}: ${unsupported}` });
          continue;
        }
        const unit: FetchUnit = {
          source: gap.source as VendorName,
          dataset: gap.dataset as BackfillDataset,
          symbol,
          from,
          to,
          startAt: gap.gapFrom,
          endAt: gap.gapTo,
          ...(gap.dataset === 'bars' ? { interval: '1m' as const } : {}),
        };
        const entry = req.force ? undefined : await ledger.get(key);
        items.push({
          ...base,
          key,
          symbol,
          unit,
          action: entry ? 'skip' : 'fetch',
          reason: entry ? done(entry) : why,
        });
      }
    }
  } else {
    throw new UsageError('backfill needs --files PATTERN, --source VENDOR --symbols LIST, or --gaps');
  }
  return { items, missingDays, estimate: estimate(await ledger.list(prefix), items, rpm) };
}

function estimate(past: LedgerEntry[], items: PlannedWork[], rpm: number | undefined): BackfillEstimate {
  const todo = items.filter((i) => i.action === 'fetch' || i.action === 'ingest').length;
  if (!todo) return { rows: 0, seconds: 0, basis: 'nothing to do' };
  if (!past.length) return { rows: null, seconds: null, basis: 'no past runs of this source and dataset' };
  const n = past.length;
  const rows = past.reduce((s, e) => s + e.read, 0) / n;
  const seconds = past.reduce((s, e) => s + e.seconds, 0) / n;
  const requests = past.reduce((s, e) => s + e.requests, 0) / n;
  // Work runs one unit after another in the worst case; the vendor's rate limit is a floor.
  const floor = rpm ? ((requests * todo) / rpm) * 60 : 0;
  return {
    rows: Math.round(rows * todo),
    seconds: Math.round(Math.max(seconds * todo, floor)),
    basis: `${n} past unit(s): ${Math.round(rows)} rows, ${seconds.toFixed(2)} s, ${requests.toFixed(1)} requests each${rpm ? `; ${rpm} requests/min` : ''}`,
  };
}
