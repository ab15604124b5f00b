import { binanceAggTradeRecords } from '../../pipelines/index.js';
import { type Feed, type FeedFrame, nextRecordNumber, parseFrame, unreadableFrame } from './feed.js';

export const BINANCE_DEFAULT_URL = 'wss://stream.binance.com:9443';

export interface BinanceFeedOptions {
  /** Base URL (default Binance spot); streams are appended as `/stream?streams=...` (combined). */
  url?: string;
  /** Lower-case pairs, e.g. `btcusdt`. */
  symbols: string[];
  /** `trade`, `aggTrade` or both. */
  channels: ('trade' | 'aggTrade')[];
  /** `raw` (`/ws/<stream>`, one stream) or `combined` (`/stream?streams=`, `{stream, data}` envelopes). */
  framing?: 'raw' | 'combined';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A Binance `trade` event as a Trade contract value (`T` in ms, prices and sizes as text). */
function tradeValue(e: Record<string, unknown>): Record<string, unknown> {
  const n = (v: unknown) =>
    typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  const value: Record<string, unknown> = {
    symbol: typeof e.s === 'string' ? e.s.toUpperCase() : e.s,
    trade_id: e.t,
    price: n(e.p),
    size: n(e.q),
    event_at: typeof e.T === 'number' && Number.isInteger(e.T) ? new Date(e.T).toISOString() : e.T,
    source: 'binance',
  };
  if (e.m !== undefined) value.is_buyer_maker = e.m;
  return value;
}

/**
 * Binance spot trades over WebSocket: `trade` and `aggTrade` streams, raw (`/ws/...`) or combined
 * (`/stream?streams=...`) framing. aggTrade events go through the same adapter as Binance files;
 * subscription replies are control messages; other events are counted; unknown ones quarantined.
 */
export function binanceFeed(options: BinanceFeedOptions): Feed {
  const streams = options.symbols.flatMap((s) => options.channels.map((c) => `${s.toLowerCase()}@${c}`));
  const base = (options.url ?? BINANCE_DEFAULT_URL).replace(/\/$/, '');
  const framing = options.framing ?? (streams.length > 1 ? 'combined' : 'raw');
  const url =
    framing === 'combined' ? `${base}/stream?streams=${streams.join('/')}` : `${base}/ws/${streams[0]}`;
  const feed: Feed = {
    name: 'binance',
    url,
    primaryDataset: 'trades',
    onOpen() {},
    read(frame): FeedFrame {
      const parsed = parseFrame(frame);
      if ('error' in parsed) return unreadableFrame(feed, frame, parsed.error);
      const out: FeedFrame = { records: [], control: 0 };
      for (const item of Array.isArray(parsed.value) ? parsed.value : [parsed.value]) {
        const raw = JSON.stringify(item) ?? String(item);
        const line = nextRecordNumber();
        if (isObject(item) && 'result' in item && 'id' in item) {
          out.control += 1;
          continue;
        }
        const event = isObject(item) && isObject(item.data) ? item.data : item;
        if (isObject(event) && event.e === 'trade') {
          out.records.push({ dataset: 'trades', record: { line, raw, value: tradeValue(event) } });
          continue;
        }
        for (const r of binanceAggTradeRecords(item, {
          dataset: 'trades',
          file: 'binance-stream',
          constants: {},
        })) {
          if ('skip' in r) out.control += 1;
          else if ('error' in r)
            out.records.push({ dataset: 'trades', record: { line, raw, error: r.error } });
          else out.records.push({ dataset: 'trades', record: { line, raw, value: r.value } });
        }
      }
      return out;
    },
  };
  return feed;
}
