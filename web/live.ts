import { Redis } from 'ioredis';
import type { Logger } from '../layers/index.js';
import {
  LIVE_KINDS,
  type LiveEventMap,
  type LiveKind,
  liveAlertSchema,
  liveBarSchema,
  liveChannel,
  liveTradeSchema,
} from '../streaming/live-events.js';
import type { GoldReader } from './gold-reader.js';

type Listener<K extends LiveKind> = (event: LiveEventMap[K]) => void;

const SCHEMAS = { alerts: liveAlertSchema, bars: liveBarSchema, trades: liveTradeSchema } as const;

/**
 * Fan-out of live events to the server's SSE clients. Fed by a Redis subscription to the stream
 * worker's channels, by the lake poller, or directly by code in the same process (`publish`).
 */
export class LiveHub {
  private readonly listeners: { [K in LiveKind]: Set<Listener<K>> } = {
    alerts: new Set(),
    bars: new Set(),
    trades: new Set(),
  };

  subscribe<K extends LiveKind>(kind: K, listener: Listener<K>): () => void {
    const set = this.listeners[kind] as Set<Listener<K>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  publish<K extends LiveKind>(kind: K, event: LiveEventMap[K]): void {
    for (const listener of this.listeners[kind] as Set<Listener<K>>) listener(event);
  }

  listenerCount(kind: LiveKind): number {
    return this.listeners[kind].size;
  }
}

/** Something that feeds a hub until stopped. */
export interface LiveFeed {
  readonly description: string;
  stop(): Promise<void>;
}

/**
 * Subscribe to the stream worker's Redis channels (`<prefix>:live:<kind>`) and pass every event
 * that matches its schema to the hub; a malformed message is logged and dropped (it is not data of
 * the lake, only a notification).
 */
export async function redisLiveFeed(
  hub: LiveHub,
  redisUrl: string,
  queuePrefix: string,
  logger?: Logger,
): Promise<LiveFeed> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  });
  redis.on('error', (err) => logger?.warn({ err }, 'live events: redis connection error'));
  const byChannel = new Map(LIVE_KINDS.map((kind) => [liveChannel(queuePrefix, kind), kind] as const));
  redis.on('message', (channel: string, message: string) => {
    const kind = byChannel.get(channel);
    if (!kind) return;
    let parsed: ReturnType<(typeof SCHEMAS)[typeof kind]['safeParse']>;
    try {
      parsed = SCHEMAS[kind].safeParse(JSON.parse(message));
    } catch {
      logger?.warn({ channel }, 'live events: message is not JSON');
      return;
    }
    if (!parsed.success) {
      logger?.warn(
        { channel, issues: parsed.error.issues.slice(0, 3) },
        'live events: message does not match its schema',
      );
      return;
    }
    hub.publish(kind, parsed.data as never);
  });
  await redis.connect();
  await redis.subscribe(...byChannel.keys());
  return {
    description: `redis channels ${queuePrefix}:live:{${LIVE_KINDS.join(',')}}`,
    stop: async () => {
      redis.disconnect();
    },
  };
}

/**
 * Without Redis: look for alerts new in the lake (committed by a stream or a run) every
 * `intervalMs` and publish them. Alerts already there at start are not replayed.
 */
export async function lakeAlertPoller(
  hub: LiveHub,
  gold: GoldReader,
  intervalMs: number,
  logger?: Logger,
): Promise<LiveFeed> {
  const seen = new Set<string>();
  const keyOf = (a: Record<string, unknown>) => `${a.symbol}|${a.bar_start_at}|${a.rule}`;
  const latest = () => gold.alerts({ limit: 500 });
  try {
    for (const a of await latest()) seen.add(keyOf(a));
  } catch (err) {
    logger?.warn({ err }, 'live events: reading the alerts already in the lake failed');
  }
  let stopped = false;
  let running: Promise<void> | undefined;
  const poll = async () => {
    try {
      const rows = await latest();
      for (const a of rows.reverse()) {
        const key = keyOf(a);
        if (seen.has(key)) continue;
        seen.add(key);
        const parsed = liveAlertSchema.safeParse(a);
        if (parsed.success) hub.publish('alerts', parsed.data);
      }
    } catch (err) {
      logger?.warn({ err }, 'live events: polling the lake for alerts failed');
    }
  };
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = poll().finally(() => {
      running = undefined;
    });
  }, intervalMs);
  timer.unref();
  return {
    description: `polling gold.fact_alerts every ${intervalMs} ms`,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
