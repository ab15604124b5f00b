import { basename } from 'node:path';
import {
  epoch,
  isObject,
  num,
  shape,
  symbolOf,
  type VendorContext,
  type VendorRecord,
} from './vendor-record.js';

/**
 * Binance aggregate trades as JSON: the REST `/api/v3/aggTrades` array (`{"a","p","q","f","l",
 * "T","m","M"}`), the same objects wrapped by ccxt (under `info`, with a `symbol` such as
 * `XRP/ETH`), and websocket `aggTrade` events (bare or in a combined-stream envelope). Prices
 * and quantities arrive as text; `T` is epoch milliseconds (microseconds from 2025, detected).
 * `f`/`l`/`m`/`M` land in `extra` under the names of Binance's CSV files (first_trade_id, ...).
 */
export function* binanceAggTradeRecords(doc: unknown, ctx: VendorContext): Generator<VendorRecord> {
  const items = Array.isArray(doc) ? doc : [doc];
  for (const item of items) {
    if (!isObject(item)) {
      yield { raw: item, value: { source: 'binance', record: item } };
      continue;
    }
    const event = isObject(item.data) ? item.data : item;
    if (event.e !== undefined && event.e !== 'aggTrade') continue;
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

function fileSymbol(file: string): string | undefined {
  return /^([A-Z0-9]+)[-_]/.exec(basename(file))?.[1];
}
