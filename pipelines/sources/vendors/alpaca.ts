import type { DatasetName } from '../../../contracts/index.js';
import {
  codes,
  isObject,
  num,
  shape,
  symbolOf,
  type VendorContext,
  type VendorRecord,
} from './vendor-record.js';

/**
 * Alpaca market data v2: stream messages (`[{"T":"t",...}]`, `t` trades, `q` quotes, `b`/`u`
 * minute bars, `d` daily bars) and historical REST bodies (`{"trades": [...], "symbol": ...}`,
 * `{"trades": {"AAPL": [...]}}`, latest endpoints with one object per symbol). Read per record
 * in JS: Alpaca's `S`/`s` and `T`/`t` keys differ only in case, which DuckDB's JSON reader
 * cannot keep apart. Control messages (success, subscription, error) and messages of another
 * dataset are not records of this one and are skipped.
 */
export function* alpacaRecords(doc: unknown, ctx: VendorContext): Generator<VendorRecord> {
  if (Array.isArray(doc)) {
    for (const m of doc) if (isObject(m) && typeof m.T === 'string') yield* streamMessage(m, ctx);
    return;
  }
  if (!isObject(doc)) return;
  if (typeof doc.T === 'string') {
    yield* streamMessage(doc, ctx);
    return;
  }
  const key = REST_KEYS[ctx.dataset] ?? '-';
  const body = doc[`${key}s`] ?? doc[key];
  if (Array.isArray(body)) {
    for (const r of body) yield one(ctx.dataset, r, ctx.symbol ?? doc.symbol, ctx, '1m');
  } else if (isObject(body)) {
    for (const [symbol, rows] of Object.entries(body)) {
      for (const r of Array.isArray(rows) ? rows : [rows])
        yield one(ctx.dataset, r, ctx.symbol ?? symbol, ctx, '1m');
    }
  }
}

const REST_KEYS: Partial<Record<DatasetName, string>> = { trades: 'trade', quotes: 'quote', bars: 'bar' };

const STREAM_TYPES: Readonly<Record<string, { dataset: DatasetName; interval: string }>> = {
  t: { dataset: 'trades', interval: '' },
  q: { dataset: 'quotes', interval: '' },
  b: { dataset: 'bars', interval: '1m' },
  u: { dataset: 'bars', interval: '1m' },
  d: { dataset: 'bars', interval: '1d' },
};

function* streamMessage(m: Record<string, unknown>, ctx: VendorContext): Generator<VendorRecord> {
  const type = STREAM_TYPES[m.T as string];
  if (!type || type.dataset !== ctx.dataset) return;
  const { T: _type, S: symbol, ...rest } = m;
  yield one(ctx.dataset, rest, ctx.symbol ?? symbol, ctx, type.interval, m);
}

function one(
  dataset: DatasetName,
  r: unknown,
  symbol: unknown,
  ctx: VendorContext,
  interval: string,
  raw: unknown = r,
): VendorRecord {
  if (!isObject(r)) return { raw, value: { symbol: symbolOf(symbol), source: 'alpaca', record: r } };
  const common = { symbol: symbolOf(symbol), source: 'alpaca' };
  if (dataset === 'trades') {
    const value = {
      ...common,
      event_at: r.t,
      price: r.p,
      size: r.s,
      exchange: r.x,
      trade_id: r.i,
      conditions: codes(r.c),
      tape: r.z,
    };
    return { raw, value: shape(value, r, ['t', 'p', 's', 'x', 'i', 'c', 'z'], ctx) };
  }
  if (dataset === 'quotes') {
    const value = {
      ...common,
      event_at: r.t,
      bid_price: r.bp,
      bid_size: r.bs,
      ask_price: r.ap,
      ask_size: r.as,
      bid_exchange: r.bx,
      ask_exchange: r.ax,
      conditions: codes(r.c),
      tape: r.z,
    };
    return { raw, value: shape(value, r, ['t', 'bp', 'bs', 'ap', 'as', 'bx', 'ax', 'c', 'z'], ctx) };
  }
  const value = {
    ...common,
    bar_start_at: r.t,
    interval,
    open: num(r.o),
    high: num(r.h),
    low: num(r.l),
    close: num(r.c),
    volume: num(r.v),
    vwap: r.vw,
    trade_count: r.n,
  };
  return { raw, value: shape(value, r, ['t', 'o', 'h', 'l', 'c', 'v', 'vw', 'n'], ctx) };
}
