import {
  codes,
  epoch,
  isObject,
  jsonTypeOf,
  refuseItem,
  shape,
  skipItem,
  symbolOf,
  type VendorContext,
  type VendorRecord,
} from './vendor-record.js';

const TAPES: Record<string, string> = { '1': 'A', '2': 'B', '3': 'C' };

/**
 * Polygon (Massive) trades as REST JSON: v3 `/v3/trades/{ticker}` (`results` array, long
 * names, no ticker in the body: `--symbol`) and v2 last trade (`results` object, one-letter
 * keys, `T` ticker). Nanosecond epochs beyond 2^53 arrive as exact text (parseJsonExact) and
 * are converted with BigInt; numeric exchange ids and condition codes become text, tape 1/2/3
 * becomes A/B/C. A response with no results (`[]`, `null`) is skipped; an error response, one
 * without `results` and anything that is not a response object are quarantined.
 */
export function* polygonTradeRecords(doc: unknown, ctx: VendorContext): Generator<VendorRecord> {
  if (!isObject(doc)) {
    yield refuseItem(doc, `expected a polygon response object, got ${jsonTypeOf(doc)}`);
    return;
  }
  const results = doc.results;
  if (results === undefined) {
    const status = typeof doc.status === 'string' ? doc.status : undefined;
    const message = doc.error ?? doc.message;
    yield refuseItem(
      doc,
      status && status !== 'OK' && status !== 'DELAYED'
        ? `polygon ${status} response${typeof message === 'string' ? `: ${message}` : ''}`
        : 'polygon response without "results"',
    );
    return;
  }
  const rows = Array.isArray(results) ? results : results === null ? [] : [results];
  if (rows.length === 0) yield skipItem(doc, 'polygon response with no results');
  for (const r of rows) {
    if (!isObject(r)) {
      yield refuseItem(r, `expected a polygon trade object, got ${jsonTypeOf(r)}`);
      continue;
    }
    const v2 = 'p' in r || 'T' in r;
    const get = (long: string, short: string) => (v2 ? r[short] : r[long]);
    const exchange = get('exchange', 'x');
    const tape = get('tape', 'z');
    const value = {
      symbol: symbolOf(ctx.symbol ?? (v2 ? r.T : r.ticker) ?? doc.ticker),
      event_at: epoch(get('sip_timestamp', 't'), 'ns'),
      price: get('price', 'p'),
      size: get('size', 's'),
      exchange: typeof exchange === 'number' ? String(exchange) : exchange,
      trade_id: get('id', 'i'),
      conditions: codes(get('conditions', 'c')),
      tape: tape === undefined ? undefined : (TAPES[String(tape)] ?? tape),
      source: 'polygon',
    };
    const used = v2
      ? ['T', 't', 'p', 's', 'x', 'i', 'c', 'z']
      : ['ticker', 'sip_timestamp', 'price', 'size', 'exchange', 'id', 'conditions', 'tape'];
    yield { raw: r, value: shape(value, r, used, ctx) };
  }
}
