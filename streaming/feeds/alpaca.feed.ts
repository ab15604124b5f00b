import type { DatasetName } from '../../contracts/index.js';
import { alpacaRecords } from '../../pipelines/index.js';
import {
  type Feed,
  type FeedFrame,
  type FeedRecord,
  nextRecordNumber,
  parseFrame,
  unreadableFrame,
} from './feed.js';

/** Alpaca's real-time SIP feed (needs a subscription that includes SIP; `iex` works on free plans). */
export const ALPACA_DEFAULT_URL = 'wss://stream.data.alpaca.markets/v2/sip';

export interface AlpacaFeedOptions {
  url?: string;
  key: string;
  secret: string;
  /** Symbols or `*`, per channel; default every trade, quote and minute bar. */
  trades?: string[];
  quotes?: string[];
  bars?: string[];
}

const DATASET_OF: Readonly<Record<string, DatasetName>> = {
  t: 'trades',
  q: 'quotes',
  b: 'bars',
  u: 'bars',
  d: 'bars',
};
const CONTEXT = (dataset: DatasetName) => ({ dataset, file: 'alpaca-stream', constants: {} });

/**
 * Alpaca market data v2 over WebSocket: answers the `connected` greeting with `auth`, subscribes
 * once authenticated, and reads data frames (arrays of `t`/`q`/`b` messages) through the same
 * adapter as Alpaca files, so stream and batch apply one set of mapping rules. Error 402 (bad keys)
 * is fatal; 406 (connection limit) and 407 (slow client) are worth a reconnect.
 */
export function alpacaFeed(options: AlpacaFeedOptions): Feed {
  const subscribe = JSON.stringify({
    action: 'subscribe',
    trades: options.trades ?? ['*'],
    quotes: options.quotes ?? ['*'],
    bars: options.bars ?? ['*'],
  });
  const feed: Feed = {
    name: 'alpaca',
    url: options.url ?? ALPACA_DEFAULT_URL,
    primaryDataset: 'trades',
    onOpen() {},
    read(frame, send): FeedFrame {
      const parsed = parseFrame(frame);
      if ('error' in parsed) return unreadableFrame(feed, frame, parsed.error);
      const doc = parsed.value;
      if (!Array.isArray(doc))
        return unreadableFrame(
          feed,
          frame,
          `expected an array of alpaca messages, got ${doc === null ? 'null' : typeof doc}`,
        );
      const out: FeedFrame = { records: [], control: 0 };
      for (const m of doc) {
        const t = typeof m === 'object' && m !== null ? (m as Record<string, unknown>).T : undefined;
        if (t === 'success' || t === 'subscription' || t === 'error') {
          out.control += 1;
          const msg = m as Record<string, unknown>;
          if (t === 'success' && msg.msg === 'connected')
            send(JSON.stringify({ action: 'auth', key: options.key, secret: options.secret }));
          if (t === 'success' && msg.msg === 'authenticated') send(subscribe);
          if (t === 'error') {
            const reason = `alpaca error ${String(msg.code)}: ${String(msg.msg)}`;
            if (msg.code === 402 || msg.code === 409) out.fatal = reason;
            else if (msg.code === 406 || msg.code === 407 || msg.code === 404 || msg.code === 500)
              out.retry = reason;
          }
          continue;
        }
        const dataset = typeof t === 'string' ? DATASET_OF[t] : undefined;
        // Unknown types and non-objects: the adapter refuses them (quarantined under the primary dataset).
        for (const r of alpacaRecords(m, CONTEXT(dataset ?? 'trades'))) {
          const raw = JSON.stringify(r.raw) ?? String(r.raw);
          const line = nextRecordNumber();
          const record: FeedRecord['record'] =
            'skip' in r
              ? { line, raw, skip: r.skip }
              : 'error' in r
                ? { line, raw, error: r.error }
                : { line, raw, value: r.value };
          if ('skip' in r) out.control += 1;
          else out.records.push({ dataset: dataset ?? 'trades', record });
        }
      }
      return out;
    },
  };
  return feed;
}
