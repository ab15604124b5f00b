import type { DatasetName } from '../../../contracts/index.js';
import {
  codes,
  isObject,
  jsonTypeOf,
  num,
  refuseItem,
  shape,
  skipItem,
  symbolOf,
  type VendorContext,
  type VendorRecord,
} from './vendor-record.js';

/**
 * Alpaca market data v2: stream messages (`[{"T":"t",...}]`, `t` trades, `q` quotes, `b`/`u`
 * minute bars, `d` daily bars) and historical REST bodies (`{"trades": [...], "symbol": ...}`,
 * `{"trades": {"AAPL": [...]}}`, latest endpoints with one object per symbol). Read per record
 * in JS: Alpaca's `S`/`s` and `T`/`t` keys differ only in case, which DuckDB's JSON reader
 * cannot keep apart.
 *
 * Every message is accounted for. Control messages (success, subscription, error), messages
 * of another known type (a quote when loading trades, a trading status) and REST bodies of
 * another kind or with no records are skipped with their reason. A message of a type Alpaca
 * does not document (`{"T":"zz"}`), a value that is not a message object (`null`, `42`, an
 * array element `1`) and an object that is neither a message nor a REST body are quarantined:
 * nothing says they are harmless.
 */
export function* alpacaRecords(doc: unknown, ctx: VendorContext): Generator<VendorRecord> {
  if (Array.isArray(doc)) {
    for (const m of doc) {
      if (isObject(m)) yield* objectRecords(m, ctx);
      else yield refuseItem(m, notAMessage(m));
    }
    return;
  }
  if (isObject(doc)) yield* objectRecords(doc, ctx);
  else yield refuseItem(doc, notAMessage(doc));
}

const notAMessage = (v: unknown) =>
  `expected a message object or an array of message objects, got ${jsonTypeOf(v)}`;

const REST_KEYS: Partial<Record<DatasetName, string>> = { trades: 'trade', quotes: 'quote', bars: 'bar' };

/** Keys of the Alpaca REST bodies documented (a body of another kind or dataset is skipped). */
const REST_BODY_KEYS = [
  'trades',
  'trade',
  'quotes',
  'quote',
  'bars',
  'bar',
  'snapshots',
  'snapshot',
  'auctions',
  'orderbooks',
  'orderbook',
  'news',
  'corporate_actions',
  'pricing',
  'prices',
  'most_actives',
  'gainers',
  'losers',
  'exchanges',
  'conditions',
];

/** Parts of a snapshot: multi-symbol snapshot bodies are keyed by symbol, without a `snapshots` key. */
const SNAPSHOT_PARTS = ['latestTrade', 'latestQuote', 'minuteBar', 'dailyBar', 'prevDailyBar'];

/** `{"AAPL": {"latestTrade": ..., "dailyBar": ...}, "INVALID": null}`: a snapshot per symbol. */
function isSnapshotBody(m: Record<string, unknown>): boolean {
  const values = Object.values(m);
  return (
    values.some((v) => v !== null) &&
    values.every((v) => v === null || (isObject(v) && SNAPSHOT_PARTS.some((k) => k in v)))
  );
}

const STREAM_TYPES: Readonly<Record<string, { dataset: DatasetName; interval: string; name: string }>> = {
  t: { dataset: 'trades', interval: '', name: 'trades' },
  q: { dataset: 'quotes', interval: '', name: 'quotes' },
  b: { dataset: 'bars', interval: '1m', name: 'minute bars' },
  u: { dataset: 'bars', interval: '1m', name: 'updated bars' },
  d: { dataset: 'bars', interval: '1d', name: 'daily bars' },
};

/** Documented stream message types that no dataset here holds. */
const OTHER_STREAM_TYPES: Readonly<Record<string, string>> = {
  s: 'trading statuses',
  x: 'trade cancels/errors',
  c: 'trade corrections',
  l: 'LULD bands',
  i: 'order imbalances',
  o: 'orderbooks',
  n: 'news',
};

const CONTROL_TYPES = new Set(['success', 'subscription', 'error']);

/** A stream message (it has `T`), or else a REST body. */
function* objectRecords(m: Record<string, unknown>, ctx: VendorContext): Generator<VendorRecord> {
  if ('T' in m) {
    yield streamMessage(m, ctx);
    return;
  }
  const key = REST_KEYS[ctx.dataset] ?? '-';
  const plural = `${key}s`;
  if (!(plural in m) && !(key in m)) {
    const other = REST_BODY_KEYS.find((k) => k in m) ?? (isSnapshotBody(m) ? 'snapshots' : undefined);
    if (other) yield skipItem(m, `alpaca response of "${other}" is not ${ctx.dataset}`);
    else if (Object.keys(m).length === 0) yield skipItem(m, 'alpaca empty response {}');
    else yield refuseItem(m, `not an alpaca message (no "T") or ${ctx.dataset} response (no "${plural}")`);
    return;
  }
  const body = m[plural] ?? m[key];
  let n = 0;
  if (Array.isArray(body)) {
    for (const r of body) {
      n += 1;
      yield one(ctx.dataset, r, ctx.symbol ?? m.symbol, ctx, '1m');
    }
  } else if (isObject(body) && typeof body.t === 'string') {
    // Latest endpoint of one symbol: `{"symbol": "AAPL", "trade": {"t": ...}}`.
    n += 1;
    yield one(ctx.dataset, body, ctx.symbol ?? m.symbol, ctx, '1m');
  } else if (isObject(body)) {
    for (const [symbol, rows] of Object.entries(body)) {
      for (const r of Array.isArray(rows) ? rows : [rows]) {
        n += 1;
        yield one(ctx.dataset, r, ctx.symbol ?? symbol, ctx, '1m');
      }
    }
  } else if (body !== null) {
    n += 1;
    yield refuseItem(
      m,
      `alpaca "${plural}": expected a list or an object by symbol, got ${jsonTypeOf(body)}`,
    );
  }
  if (n === 0) yield skipItem(m, `alpaca response with no ${ctx.dataset}`);
}

function streamMessage(m: Record<string, unknown>, ctx: VendorContext): VendorRecord {
  const t = m.T;
  const type = typeof t === 'string' && Object.hasOwn(STREAM_TYPES, t) ? STREAM_TYPES[t] : undefined;
  if (type?.dataset === ctx.dataset) {
    const { T: _type, S: symbol, ...rest } = m;
    return one(ctx.dataset, rest, ctx.symbol ?? symbol, ctx, type.interval, m);
  }
  if (type) return skipItem(m, `alpaca message type "${t}" (${type.name}) is not ${ctx.dataset}`);
  if (typeof t === 'string' && Object.hasOwn(OTHER_STREAM_TYPES, t))
    return skipItem(m, `alpaca message type "${t}" (${OTHER_STREAM_TYPES[t]}) is not ${ctx.dataset}`);
  if (typeof t === 'string' && CONTROL_TYPES.has(t)) return skipItem(m, `alpaca control message "${t}"`);
  // Quoted as JSON: a type of any length or kind stays one readable token in the reason.
  return refuseItem(m, `unknown alpaca message type ${JSON.stringify(t) ?? String(t)}`);
}

function one(
  dataset: DatasetName,
  r: unknown,
  symbol: unknown,
  ctx: VendorContext,
  interval: string,
  raw: unknown = r,
): VendorRecord {
  if (!isObject(r))
    return refuseItem(raw, `expected an alpaca ${dataset} record object, got ${jsonTypeOf(r)}`);
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
