import { basename } from 'node:path';
import {
  epoch,
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

/** Binance websocket event types (`e`) other than aggTrade: skipped when loading trades. */
const OTHER_EVENTS = new Set([
  'trade',
  'kline',
  'continuous_kline',
  '24hrTicker',
  '24hrMiniTicker',
  '1hTicker',
  '4hTicker',
  '1dTicker',
  'depthUpdate',
  'bookTicker',
  'avgPrice',
  'markPriceUpdate',
  'forceOrder',
  'compositeIndex',
  'contractInfo',
  'assetIndexUpdate',
  'outboundAccountPosition',
  'balanceUpdate',
  'executionReport',
  'listStatus',
  'listenKeyExpired',
  'ACCOUNT_UPDATE',
  'ORDER_TRADE_UPDATE',
  'MARGIN_CALL',
]);

/** Combined-stream names (`btcusdt@bookTicker`) whose events carry no `e`, other than aggTrade. */
const OTHER_STREAMS = new Set(['bookTicker', 'depth', 'depth5', 'depth10', 'depth20']);

/**
 * Binance aggregate trades as JSON: the REST `/api/v3/aggTrades` array (`{"a","p","q","f","l",
 * "T","m","M"}`), the same objects wrapped by ccxt (under `info`, with a `symbol` such as
 * `XRP/ETH`), and websocket `aggTrade` events (bare or in a combined-stream envelope). Prices
 * and quantities arrive as text; `T` is epoch milliseconds (microseconds from 2025, detected).
 * `f`/`l`/`m`/`M` land in `extra` under the names of Binance's CSV files (first_trade_id, ...).
 * Other events of a recorded stream (depth updates, book tickers, klines) and subscription
 * replies are skipped with their reason; an event type Binance does not document and a value
 * that is not an object are quarantined.
 */
export function* binanceAggTradeRecords(doc: unknown, ctx: VendorContext): Generator<VendorRecord> {
  const items = Array.isArray(doc) ? doc : [doc];
  for (const item of items) {
    if (!isObject(item)) {
      yield refuseItem(item, `expected an aggTrade object or an array of them, got ${jsonTypeOf(item)}`);
      continue;
    }
    const other = notAggTrade(item);
    if (other) {
      yield other;
      continue;
    }
    const event = isObject(item.data) ? item.data : item;
    const r = isObject(event.info) ? event.info : event;
    const pair =
      ctx.symbol ?? r.s ?? (typeof event.symbol === 'string' ? event.symbol.replace('/', '') : undefined);
    const value = {
      symbol: symbolOf(pair ?? fileSymbol(ctx.file)),
      trade_id: r.a,
      price: num(r.p),
      size: num(r.q),
      event_at: epoch(r.T, 'ms-or-us'),
      source: 'binance',
    };
    const named = { first_trade_id: r.f, last_trade_id: r.l, is_buyer_maker: r.m, is_best_match: r.M };
    const rest = shape(value, r, ['a', 'p', 'q', 'T', 'e', 'E', 's', 'f', 'l', 'm', 'M'], ctx);
    yield {
      raw: item,
      value: { ...rest, ...Object.fromEntries(Object.entries(named).filter(([, v]) => v !== undefined)) },
    };
  }
}

/** The skip or refusal of an item that is not an aggTrade, or undefined for one (or a REST record). */
function notAggTrade(item: Record<string, unknown>): VendorRecord | undefined {
  // The reply to a SUBSCRIBE request: `{"result": null, "id": 1}`.
  if ('result' in item && 'id' in item && !('e' in item) && !('data' in item))
    return skipItem(item, 'binance subscription reply');
  const event = isObject(item.data) ? item.data : item;
  const e = event.e;
  if (e !== undefined && e !== 'aggTrade') {
    return typeof e === 'string' && OTHER_EVENTS.has(e)
      ? skipItem(item, `binance event "${e}" is not aggTrade`)
      : refuseItem(item, `unknown binance event type ${JSON.stringify(e) ?? String(e)}`);
  }
  if (e !== undefined) return undefined;
  // Events without `e`: a combined stream names them; a bare spot bookTicker has its own keys.
  const stream = typeof item.stream === 'string' ? item.stream.split('@')[1] : undefined;
  if (stream !== undefined && OTHER_STREAMS.has(stream))
    return skipItem(item, `binance stream "${stream}" is not aggTrade`);
  if (['u', 'b', 'B', 'a', 'A'].every((k) => k in event) && !('p' in event))
    return skipItem(item, 'binance stream "bookTicker" is not aggTrade');
  return undefined;
}

function fileSymbol(file: string): string | undefined {
  return /^([A-Z0-9]+)[-_]/.exec(basename(file))?.[1];
}
