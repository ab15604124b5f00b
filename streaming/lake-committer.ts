import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DatasetName, validateRecord } from '../contracts/index.js';
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
      const checked = validateRecord('trades', r.value);
      if (!checked.ok) continue;
      const row = checked.row as Record<string, unknown>;
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
