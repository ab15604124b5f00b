import WebSocket from 'ws';
import type { DatasetName } from '../contracts/index.js';
import type { LakeSession, Logger, StreamGapLog } from '../layers/index.js';
import type { Feed, FeedRecord } from './feeds/feed.js';
import { type LakeCommitter, microsOf } from './lake-committer.js';

export interface StreamWorkerOptions {
  feed: Feed;
  logger: Logger;
  /** Where batches go: the lake (direct mode) or a Redis Stream (connector mode). */
  sink: BatchSink;
  gaps?: StreamGapLog;
  /** Flush every this many ms (default 1,000) ... */
  flushIntervalMs?: number;
  /** ... or at this many records, whichever comes first (default 50,000). */
  maxBatchRecords?: number;
  /** Stop reading the socket while this many records wait (default 4 × maxBatchRecords). */
  maxBufferedRecords?: number;
  /** Close the open windows after this long without a data message (default 10 s). */
  idleCloseMs?: number;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  signal: AbortSignal;
}

/** Takes a micro-batch: commits it to the lake, or appends it to a Redis Stream. */
export interface BatchSink {
  write(records: FeedRecord[]): Promise<void>;
  /** The feed went quiet (direct mode closes its windows). */
  idle?(): Promise<void>;
}

export interface StreamSummary {
  frames: number;
  records: number;
  control: number;
  flushes: number;
  reconnects: number;
  gaps: number;
  backpressurePauses: number;
  fatal?: string;
}

export function committerSink(committer: LakeCommitter, session?: LakeSession): BatchSink {
  void session;
  return {
    write: async (records) => {
      await committer.commit(records);
    },
    idle: async () => {
      await committer.closeIdleWindows();
    },
  };
}

const eventTimeOf = (r: FeedRecord): string | undefined => {
  const v = r.record.value as Record<string, unknown> | undefined;
  const t = v?.event_at ?? v?.bar_start_at;
  return typeof t === 'string' ? t : undefined;
};

/**
 * Read a live feed and hand micro-batches to a sink: flush every `flushIntervalMs` or
 * `maxBatchRecords`, whichever comes first, one flush at a time. When the sink is slower than the
 * feed the socket is paused (TCP pushes back to the feed) once `maxBufferedRecords` wait: memory
 * stays bounded and the pause is logged. A dropped connection is retried with exponential
 * backoff (and resubscribed by the feed's handshake); the gap between the last event before the
 * drop and the first after is recorded per dataset. On `signal`: stop reading, flush, return.
 */
export async function runStream(options: StreamWorkerOptions): Promise<StreamSummary> {
  const { feed, logger, sink, signal } = options;
  const flushMs = options.flushIntervalMs ?? 1000;
  const maxBatch = options.maxBatchRecords ?? 50_000;
  const maxBuffered = options.maxBufferedRecords ?? 4 * maxBatch;
  const idleCloseMs = options.idleCloseMs ?? 10_000;
  const summary: StreamSummary = {
    frames: 0,
    records: 0,
    control: 0,
    flushes: 0,
    reconnects: 0,
    gaps: 0,
    backpressurePauses: 0,
  };
  let buffer: FeedRecord[] = [];
  let ws: WebSocket | undefined;
  let paused = false;
  let lastData = Date.now();
  let idleClosed = true;
  const lastEventAt = new Map<DatasetName, string>();
  const lastEventMicros = new Map<DatasetName, number>();
  let pendingGap: { from: Map<DatasetName, string>; droppedAt: string; open: Set<DatasetName> } | undefined;
  let wake: (() => void) | undefined;
  const kick = () => wake?.();

  const onRecords = (records: FeedRecord[]) => {
    for (const r of records) {
      const at = eventTimeOf(r);
      if (at !== undefined) {
        if (pendingGap?.open.has(r.dataset) || (pendingGap && !pendingGap.open.size)) {
          // First event after a reconnect: the gap closes here.
          recordGap(r.dataset, at);
        }
        // The newest event time per dataset (its micros kept beside it: parsed once per record).
        const micros = microsOf(at) ?? 0;
        const prev = lastEventMicros.get(r.dataset);
        if (prev === undefined || micros > prev) {
          lastEventAt.set(r.dataset, at);
          lastEventMicros.set(r.dataset, micros);
        }
      }
      buffer.push(r);
    }
    summary.records += records.length;
    if (buffer.length >= maxBatch) kick();
    if (buffer.length >= maxBuffered && ws && !paused) {
      paused = true;
      summary.backpressurePauses += 1;
      ws.pause();
      logger.warn(
        { buffered: buffer.length },
        'backpressure: the lake is slower than the feed, reading paused',
      );
    }
  };

  const recordGap = (dataset: DatasetName, to: string) => {
    if (!pendingGap) return;
    const from = pendingGap.from.get(dataset) ?? pendingGap.droppedAt;
    pendingGap.open.delete(dataset);
    pendingGap.from.delete(dataset);
    if (pendingGap.from.size === 0) pendingGap = undefined;
    summary.gaps += 1;
    logger.warn({ source: feed.name, dataset, gap_from: from, gap_to: to }, 'stream gap recorded');
    void options.gaps
      ?.record({ source: feed.name, dataset, symbol: null, gapFrom: from, gapTo: to })
      .catch((err: unknown) => logger.error({ err }, 'cannot record a stream gap'));
  };

  // Connection loop ---------------------------------------------------------------------------
  let fatal: string | undefined;
  const connectLoop = (async () => {
    let attempt = 0;
    while (!signal.aborted && !fatal) {
      const closed = await new Promise<{ gotData: boolean; reason: string }>((resolve) => {
        let gotData = false;
        const socket = new WebSocket(feed.url, { maxPayload: 64 * 1024 * 1024 });
        ws = socket;
        const send = (text: string) => socket.readyState === WebSocket.OPEN && socket.send(text);
        const onAbort = () => socket.close();
        signal.addEventListener('abort', onAbort, { once: true });
        socket.on('open', () => {
          logger.info({ url: redactWs(feed.url) }, 'stream connected');
          feed.onOpen(send);
        });
        socket.on('message', (data: WebSocket.RawData) => {
          summary.frames += 1;
          const frame = feed.read(data.toString(), send);
          summary.control += frame.control;
          if (frame.records.length) {
            gotData = true;
            attempt = 0;
            lastData = Date.now();
            idleClosed = false;
            onRecords(frame.records);
          }
          if (frame.fatal) {
            fatal = frame.fatal;
            socket.close();
          } else if (frame.retry) {
            logger.warn({ reason: frame.retry }, 'feed refused the connection, reconnecting');
            socket.close();
          }
        });
        socket.on('error', (err) => logger.warn({ err: err.message }, 'stream socket error'));
        socket.on('close', (code) => {
          signal.removeEventListener('abort', onAbort);
          ws = undefined;
          paused = false;
          resolve({ gotData, reason: String(code) });
        });
      });
      if (signal.aborted || fatal) break;
      // A drop: the gap starts at the last event of each dataset (or now, for one that had none).
      if (!pendingGap) {
        pendingGap = {
          from: new Map(lastEventAt),
          droppedAt: new Date().toISOString(),
          open: new Set(lastEventAt.keys()),
        };
      }
      const delay = Math.min(
        options.reconnectMaxMs ?? 30_000,
        (options.reconnectInitialMs ?? 250) * 2 ** attempt,
      );
      attempt += 1;
      summary.reconnects += 1;
      logger.warn({ code: closed.reason, delayMs: Math.round(delay) }, 'stream disconnected, reconnecting');
      await sleep(delay * (0.8 + 0.4 * Math.random()), signal);
    }
    kick();
  })();

  // Flush loop ---------------------------------------------------------------------------------
  const flush = async () => {
    if (!buffer.length) return;
    const batch = buffer;
    buffer = [];
    if (paused && ws) {
      paused = false;
      ws.resume();
    }
    await sink.write(batch);
    summary.flushes += 1;
  };
  let connDone = false;
  void connectLoop.finally(() => {
    connDone = true;
  });
  while (!connDone && !signal.aborted && !fatal) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, flushMs);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    wake = undefined;
    await flush();
    if (!idleClosed && Date.now() - lastData > idleCloseMs && sink.idle) {
      idleClosed = true;
      await sink.idle();
    }
  }
  await connectLoop;
  await flush();
  if (fatal) summary.fatal = fatal;
  return summary;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A feed URL without credentials in its query (Binance and others put none; be safe). */
function redactWs(url: string): string {
  return url.replace(/([?&](?:key|secret|token)=)[^&]*/gi, '$1***');
}
