import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DatasetName, EARLIEST_EVENT_AT, SYMBOL_PATTERN, validateRecord } from '../contracts/index.js';
import {
  compactTable,
  emitLakeEvent,
  type LakeSession,
  type Logger,
  literal,
  tableRef,
  writeTable,
} from '../layers/index.js';
import { type BronzeBatchResult, type SourceRecord, writeBronzeBatch } from '../pipelines/index.js';
import { EligibilityTable, NewYorkClock } from './eligibility.js';
import type { FeedRecord } from './feeds/feed.js';
import type { LiveAlert, LiveBar, LiveEventMap, LiveKind } from './live-events.js';
import { type ClosedBar, LiveWindows, type WindowAlert } from './live-windows.js';

/** Where live events go once committed: a Redis channel, the log, a test's array. */
export type LivePublisher = <K extends LiveKind>(kind: K, event: LiveEventMap[K]) => void;

export interface LakeCommitterOptions {
  session: LakeSession;
  logger: Logger;
  /** Source name kept with each batch (`stream:alpaca`). */
  source: string;
  allowedLatenessMs?: number;
  publish?: LivePublisher;
  /** Compact the bronze tables after this many commits (default 300: about every 5 minutes at 1 s). */
  compactEvery?: number;
}

export interface FlushResult {
  records: number;
  accepted: number;
  quarantined: number;
  skipped: number;
  duplicates: number;
  /** Event time (epoch ms) of each accepted trade, for latency figures. */
  committedAt: number;
}

export interface CommitterStats {
  commits: number;
  records: number;
  accepted: number;
  quarantined: number;
  duplicateBatches: number;
  lateTicks: number;
  barsClosed: number;
  alerts: number;
  compactions: number;
}

/** The live alerts table: what the stream's windows found, beside the batch model gold.fact_alerts. */
export const LIVE_ALERTS_TABLE = tableRef('gold', 'live_alerts');

const ALERT_COLUMNS: Record<string, string> = {
  symbol: 'VARCHAR',
  session_date: 'DATE',
  bar_start_at: 'TIMESTAMPTZ',
  rule: 'VARCHAR',
  threshold: 'DOUBLE',
  observed_value: 'DOUBLE',
  open: 'DOUBLE',
  high: 'DOUBLE',
  low: 'DOUBLE',
  close: 'DOUBLE',
  previous_close: 'DOUBLE',
  volume: 'DOUBLE',
  trailing_mean_volume: 'DOUBLE',
  trailing_std_volume: 'DOUBLE',
};

/**
 * The committing half of the stream: takes feed records, commits them per dataset to bronze (and
 * quarantine) with the bronze writer, the same contracts as batch ingestion, then feeds the
 * committed trades to the 1-minute event-time windows; closed bars and alerts are published, and
 * alerts committed to gold.live_alerts. Commits are serial; a batch identity (`contentHash`)
 * makes a replayed batch a no-op (Redis mode).
 */
export class LakeCommitter {
  readonly windows: LiveWindows;
  readonly stats: CommitterStats = {
    commits: 0,
    records: 0,
    accepted: 0,
    quarantined: 0,
    duplicateBatches: 0,
    lateTicks: 0,
    barsClosed: 0,
    alerts: 0,
    compactions: 0,
  };
  private pendingAlerts: WindowAlert[] = [];
  private eligibility: EligibilityTable | undefined;
  private readonly clock = new NewYorkClock();
  private readonly touched = new Set<DatasetName>();

  constructor(private readonly options: LakeCommitterOptions) {
    this.windows = new LiveWindows({
      ...(options.allowedLatenessMs !== undefined ? { allowedLatenessMs: options.allowedLatenessMs } : {}),
      onBar: (bar: ClosedBar) => {
        const { session_date: _, ...live } = bar;
        // A minute of prints that may set no price (odd lots only) has volume but no OHLC: the live
        // bar shape has no room for it (gold.fact_bars keeps it with null prices).
        if ([live.open, live.high, live.low, live.close].every(Number.isFinite))
          options.publish?.('bars', live as LiveBar);
      },
      onAlert: (alert: WindowAlert) => {
        this.pendingAlerts.push(alert);
        const {
          session_date: _s,
          previous_close: _p,
          trailing_mean_volume: _m,
          trailing_std_volume: _d,
          ...live
        } = alert;
        options.logger.warn({ alert: live }, 'live alert');
        options.publish?.('alerts', live as LiveAlert);
      },
    });
  }

  /**
   * Commit one micro-batch: one bronze (+ quarantine) commit per dataset present. `identity` names
   * the batch (Redis entry ids): a batch committed before is then skipped, not doubled.
   */
  async commit(records: readonly FeedRecord[], identity?: string): Promise<FlushResult> {
    const { session, source } = this.options;
    this.eligibility ??= await EligibilityTable.load(session);
    const byDataset = new Map<DatasetName, SourceRecord[]>();
    for (const r of records) {
      const list = byDataset.get(r.dataset) ?? [];
      if (!list.length) byDataset.set(r.dataset, list);
      list.push(r.record);
    }
    const result: FlushResult = {
      records: records.length,
      accepted: 0,
      quarantined: 0,
      skipped: 0,
      duplicates: 0,
      committedAt: Date.now(),
    };
    // Telemetry (ops/metrics.ts): per dataset, with the event times of the trades for the lag.
    const batches: { dataset: DatasetName; messages: number; written: BronzeBatchResult }[] = [];
    const eventTimes: number[] = [];
    for (const [dataset, list] of byDataset) {
      const written: BronzeBatchResult = await writeBronzeBatch(session, dataset, list, {
        source: identity ? `${source} ${identity}` : source,
        ...(identity ? { contentHash: `stream:${source}:${dataset}:${identity}` } : {}),
      });
      this.touched.add(dataset);
      if (written.duplicateBatch) {
        result.duplicates += 1;
        this.stats.duplicateBatches += 1;
      }
      result.accepted += written.accepted;
      result.quarantined += written.quarantined;
      result.skipped += written.skipped;
      // The windows see what bronze took (a replayed batch was seen by its first committer).
      if (dataset === 'trades' && !written.duplicateBatch) this.feedWindows(list, eventTimes);
      batches.push({ dataset, messages: list.length, written });
    }
    result.committedAt = Date.now();
    for (const { dataset, messages, written } of batches) {
      const { accepted, quarantined, skipped } = written;
      emitLakeEvent({
        type: 'stream',
        source,
        dataset,
        messages,
        accepted,
        quarantined,
        skipped,
        committedAt: result.committedAt,
        eventTimes: dataset === 'trades' ? eventTimes : [],
      });
    }
    this.stats.commits += 1;
    this.stats.records += records.length;
    this.stats.accepted += result.accepted;
    this.stats.quarantined += result.quarantined;
    this.windows.advance();
    await this.commitAlerts();
    const every = this.options.compactEvery ?? 300;
    if (every > 0 && this.stats.commits % every === 0) await this.compact();
    return result;
  }

  /** Close every open window (the feed is idle) and commit what that found. */
  async closeIdleWindows(): Promise<number> {
    const n = this.windows.closeAll();
    await this.commitAlerts();
    return n;
  }

  /** Merge the small files the micro-batches left in each bronze partition (one file per partition). */
  async compact(): Promise<void> {
    for (const dataset of this.touched) {
      for (const layer of ['bronze', 'quarantine'] as const) {
        const r = await compactTable(this.options.session, tableRef(layer, dataset));
        if (r.partitions) this.options.logger.info({ ...r }, 'stream compaction');
      }
    }
    this.stats.compactions += 1;
  }

  private feedWindows(list: readonly SourceRecord[], eventTimes: number[] = []): void {
    const eligibility = this.eligibility as EligibilityTable;
    for (const r of list) {
      if (r.value === undefined || r.error !== undefined || r.skip !== undefined) continue;
      // The bronze writer validated this record already; the plain shape every feed sends is
      // recognised cheaply, anything else is validated again (the contract decides).
      let row = plainTrade(r.value);
      if (row === undefined) {
        const checked = validateRecord('trades', r.value);
        if (!checked.ok) continue;
        row = checked.row;
      }
      const atMicros = microsOf(row.event_at);
      if (atMicros === undefined) continue;
      eventTimes.push(atMicros / 1000);
      const crypto = row.source === 'binance';
      const clock = crypto
        ? { date: new Date(atMicros / 1000).toISOString().slice(0, 10), regular: true }
        : this.clock.at(atMicros);
      this.windows.add({
        symbol: row.symbol as string,
        atMicros,
        price: row.price as number,
        size: row.size as number,
        tradeId: row.trade_id === null || row.trade_id === undefined ? null : String(row.trade_id),
        eligibility: eligibility.of(
          row.conditions as string[] | null,
          row.tape as string | null,
          clock.regular,
        ),
        sessionDate: clock.date,
      });
    }
    this.stats.lateTicks = this.windows.lateTicks;
  }

  private async commitAlerts(): Promise<void> {
    this.stats.barsClosed = this.windows.barsClosed;
    this.stats.alerts = this.windows.alerts;
    if (!this.pendingAlerts.length) return;
    const alerts = this.pendingAlerts;
    this.pendingAlerts = [];
    const { session } = this.options;
    const staging = await session.lake.store.createStagingDir();
    try {
      const path = join(staging, `alerts-${randomUUID()}.ndjson`);
      const finite = (v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
      await writeFile(
        path,
        alerts
          .map((a) =>
            JSON.stringify(
              Object.fromEntries(
                Object.keys(ALERT_COLUMNS).map((k) => [k, finite(a[k as keyof WindowAlert])]),
              ),
            ),
          )
          .join('\n'),
      );
      const columns = `{${Object.entries(ALERT_COLUMNS)
        .map(([k, t]) => `${literal(k)}: ${literal(t)}`)
        .join(', ')}}`;
      await writeTable(
        session,
        LIVE_ALERTS_TABLE,
        `SELECT * FROM read_json(${literal(path)}, format = 'newline_delimited', columns = ${columns})`,
        { operation: 'append', partitionColumn: 'session_date' },
      );
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

/** Epoch microseconds of an RFC 3339 time with up to nanoseconds, or undefined. */
export function microsOf(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)$/.exec(v);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return ms * 1000 + Number(frac);
}

const TRADE_KEYS = new Set([
  'symbol',
  'event_at',
  'price',
  'size',
  'exchange',
  'trade_id',
  'conditions',
  'tape',
  'source',
]);
/** A Z-suffixed RFC 3339 instant (a strict subset of the contract's ISO_INSTANT). */
const Z_INSTANT =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z$/;
const SHORT_ASCII = /^[ -~]{0,16}$/;
const ID_ASCII = /^[ -~]{0,64}$/;
const CONDITION_ASCII = /^[ -~]{0,8}$/;
const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const shortText = (v: unknown, re: RegExp) =>
  v === undefined || v === null || (typeof v === 'string' && re.test(v));

/**
 * The trade.v1 row of a value that is certainly valid, as validateRecord would make it, without
 * zod (the windows run for every trade, after the bronze writer validated it once): only values
 * every check of the contract plainly accepts (ASCII texts, a Z time in the past, no extra keys);
 * undefined for anything else, which the caller validates with the contract itself.
 */
export function plainTrade(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  for (const key in v) if (!TRADE_KEYS.has(key) || !Object.hasOwn(v, key)) return undefined;
  const { symbol, event_at, price, size, exchange, trade_id, conditions, tape, source } = v;
  if (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol)) return undefined;
  if (typeof event_at !== 'string' || !Z_INSTANT.test(event_at)) return undefined;
  const ms = Date.parse(`${event_at.slice(0, 19)}Z`);
  // A real calendar day (2024-02-30 rolls over or fails), not before 1990, not in the future.
  if (!(ms >= EARLIEST_EVENT_AT) || ms > Date.now()) return undefined;
  if (new Date(ms).toISOString().slice(0, 10) !== event_at.slice(0, 10)) return undefined;
  if (typeof price !== 'number' || !Number.isFinite(price) || !(price > 0)) return undefined;
  if (typeof size !== 'number' || !Number.isFinite(size) || !(size >= 0)) return undefined;
  if (!shortText(exchange, SHORT_ASCII) || !shortText(tape, SHORT_ASCII)) return undefined;
  let id: string | null;
  if (trade_id === undefined || trade_id === null) id = null;
  else if (typeof trade_id === 'number' && Number.isSafeInteger(trade_id)) id = String(trade_id);
  else if (typeof trade_id === 'string' && ID_ASCII.test(trade_id)) id = trade_id;
  else return undefined;
  let codes: string[] = [];
  if (conditions !== undefined) {
    if (!Array.isArray(conditions) || conditions.length > 16) return undefined;
    for (const c of conditions) if (typeof c !== 'string' || !CONDITION_ASCII.test(c)) return undefined;
    codes = conditions as string[];
  }
  if (typeof source !== 'string' || !SOURCE_NAME.test(source)) return undefined;
  return {
    symbol,
    event_at,
    price,
    size,
    exchange: exchange ?? null,
    trade_id: id,
    conditions: codes,
    tape: tape ?? null,
    source,
  };
}
