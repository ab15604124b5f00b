import type { LiveAlert, LiveBar } from './live-events.js';

/** What a trade contributes to the bar of its minute, per the sale-condition eligibility table. */
export interface PrintEligibility {
  updatesOpenClose: boolean;
  updatesHighLow: boolean;
  updatesVolume: boolean;
}

/** A committed trade as the windows see it. */
export interface WindowTrade {
  symbol: string;
  /** Epoch microseconds. */
  atMicros: number;
  price: number;
  size: number;
  tradeId: string | null;
  eligibility: PrintEligibility;
  /** Trading session date of the symbol's market (`YYYY-MM-DD`). */
  sessionDate: string;
}

/** A closed 1-minute bar with the alert rule inputs of gold.fact_alerts. */
export interface ClosedBar extends LiveBar {
  session_date: string;
}

/** An alert as gold.fact_alerts has it (plus the inputs it was decided on). */
export interface WindowAlert extends LiveAlert {
  session_date: string;
  previous_close: number | null;
  trailing_mean_volume: number | null;
  trailing_std_volume: number | null;
}

export interface LiveWindowsOptions {
  /** How far behind the newest event time a tick may arrive and still count, default 5,000 ms. */
  allowedLatenessMs?: number;
  onBar?: (bar: ClosedBar) => void;
  onAlert?: (alert: WindowAlert) => void;
}

interface Window {
  symbol: string;
  sessionDate: string;
  minute: number;
  ids: Set<string>;
  first?: { at: number; id: string; price: number };
  last?: { at: number; id: string; price: number };
  high: number | null;
  low: number | null;
  volume: number;
  dollar: number;
  vwapVolume: number;
  count: number;
}

interface History {
  sessionDate: string;
  lastClose: number | null;
  volumes: number[];
  hasBar: boolean;
}

const MINUTE_MICROS = 60_000_000;

/** Orders prints as gold.fact_bars does: event time, then trade id (text). */
const before = (at: number, id: string, o: { at: number; id: string }) =>
  at < o.at || (at === o.at && id < o.id);

/**
 * Event-time 1-minute tumbling windows per symbol with a watermark (newest event time minus the
 * allowed lateness): a window closes once the watermark passes its end, and its bar is then final;
 * a tick for a closed window is late (it still lands in bronze and the batch models pick it up, it
 * only misses the live alert). Closed bars are checked against the rules of gold.fact_alerts in
 * bar order per symbol and session, with the same inputs (previous close, trailing 30 volumes).
 */
export class LiveWindows {
  private readonly lateness: number;
  private readonly open = new Map<string, Window>();
  private readonly history = new Map<string, History>();
  private maxEventMicros = Number.NEGATIVE_INFINITY;
  /** Windows whose end is at or before this are closed. */
  private closedThrough = Number.NEGATIVE_INFINITY;
  lateTicks = 0;
  duplicateTicks = 0;
  barsClosed = 0;
  alerts = 0;

  constructor(private readonly options: LiveWindowsOptions = {}) {
    this.lateness = (options.allowedLatenessMs ?? 5000) * 1000;
  }

  /** The watermark, epoch microseconds. */
  get watermark(): number {
    return this.maxEventMicros - this.lateness;
  }

  /** Add a committed trade; false when it is late (its window already closed) or a repeat. */
  add(t: WindowTrade): boolean {
    const minute = Math.floor(t.atMicros / MINUTE_MICROS) * MINUTE_MICROS;
    if (minute + MINUTE_MICROS <= this.closedThrough) {
      this.lateTicks += 1;
      return false;
    }
    if (t.atMicros > this.maxEventMicros) this.maxEventMicros = t.atMicros;
    const key = `${t.symbol}\u0000${minute}`;
    let w = this.open.get(key);
    if (!w) {
      w = {
        symbol: t.symbol,
        sessionDate: t.sessionDate,
        minute,
        ids: new Set(),
        high: null,
        low: null,
        volume: 0,
        dollar: 0,
        vwapVolume: 0,
        count: 0,
      };
      this.open.set(key, w);
    }
    const id = t.tradeId ?? '';
    if (t.tradeId !== null) {
      // silver.trades keeps one print per (source, symbol, trade_id).
      if (w.ids.has(id)) {
        this.duplicateTicks += 1;
        return false;
      }
      w.ids.add(id);
    }
    const e = t.eligibility;
    if (e.updatesOpenClose) {
      if (!w.first || before(t.atMicros, id, w.first)) w.first = { at: t.atMicros, id, price: t.price };
      if (!w.last || !before(t.atMicros, id, w.last)) w.last = { at: t.atMicros, id, price: t.price };
    }
    if (e.updatesHighLow) {
      w.high = w.high === null ? t.price : Math.max(w.high, t.price);
      w.low = w.low === null ? t.price : Math.min(w.low, t.price);
    }
    if (e.updatesVolume) {
      w.volume += t.size;
      w.count += 1;
      if (e.updatesHighLow) {
        w.dollar += t.price * t.size;
        w.vwapVolume += t.size;
      }
    }
    return true;
  }

  /** Close every window the watermark has passed; returns how many closed. */
  advance(): number {
    return this.closeThrough(Math.floor(this.watermark / MINUTE_MICROS) * MINUTE_MICROS);
  }

  /** Close every open window (the feed went idle: no tick can still come in time). */
  closeAll(): number {
    return this.closeThrough(Math.floor(this.maxEventMicros / MINUTE_MICROS) * MINUTE_MICROS + MINUTE_MICROS);
  }

  get openWindows(): number {
    return this.open.size;
  }

  private closeThrough(end: number): number {
    if (end <= this.closedThrough) return 0;
    this.closedThrough = end;
    const closing = [...this.open.values()].filter((w) => w.minute + MINUTE_MICROS <= end);
    closing.sort((a, b) => a.minute - b.minute || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    for (const w of closing) {
      this.open.delete(`${w.symbol}\u0000${w.minute}`);
      this.closeWindow(w);
    }
    return closing.length;
  }

  private closeWindow(w: Window): void {
    const bar: ClosedBar = {
      symbol: w.symbol,
      session_date: w.sessionDate,
      bar_start_at: new Date(w.minute / 1000).toISOString(),
      open: w.first?.price ?? Number.NaN,
      high: w.high ?? Number.NaN,
      low: w.low ?? Number.NaN,
      close: w.last?.price ?? Number.NaN,
      volume: w.volume,
      trade_count: w.count,
      vwap: w.vwapVolume > 0 ? w.dollar / w.vwapVolume : null,
      final: true,
    };
    this.barsClosed += 1;
    this.options.onBar?.(bar);
    let h = this.history.get(w.symbol);
    if (!h || h.sessionDate !== w.sessionDate) {
      h = { sessionDate: w.sessionDate, lastClose: null, volumes: [], hasBar: false };
      this.history.set(w.symbol, h);
    }
    const open = w.first?.price ?? null;
    const close = w.last?.price ?? null;
    const alert = (
      rule: LiveAlert['rule'],
      threshold: number,
      observed: number,
      extra: Partial<WindowAlert>,
    ) => {
      this.alerts += 1;
      this.options.onAlert?.({
        symbol: w.symbol,
        session_date: w.sessionDate,
        bar_start_at: bar.bar_start_at,
        rule,
        threshold,
        observed_value: observed,
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: bar.volume,
        previous_close: null,
        trailing_mean_volume: null,
        trailing_std_volume: null,
        ...extra,
      });
    };
    // price_move_1m: coalesce(lag(close), open): a previous bar without a close counts as none.
    const previousClose = h.lastClose ?? open;
    const trailing = h.volumes.slice(-30);
    const n = trailing.length;
    const mean = n ? trailing.reduce((a, b) => a + b, 0) / n : null;
    const std =
      n > 1 && mean !== null ? Math.sqrt(trailing.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
    const inputs = { previous_close: previousClose, trailing_mean_volume: mean, trailing_std_volume: std };
    if (close !== null && previousClose !== null) {
      const move = Math.abs(close / previousClose - 1);
      if (move > 0.05) alert('price_move_1m', 0.05, move, inputs);
    }
    if (n >= 10 && mean !== null && std !== null && w.volume > mean + 3 * std) {
      alert('volume_spike', 3, std === 0 ? Number.NaN : (w.volume - mean) / std, inputs);
    }
    if (w.high !== null && w.low !== null && w.high / w.low - 1 > 0.02) {
      alert('high_low_swing_1m', 0.02, w.high / w.low - 1, inputs);
    }
    h.lastClose = close;
    h.volumes.push(w.volume);
    if (h.volumes.length > 30) h.volumes.shift();
  }
}
