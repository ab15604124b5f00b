import type { FastifyInstance } from 'fastify';
import { type Config, type Lake, type Logger, redactUrl } from '../layers/index.js';
import type { GoldReader } from './gold-reader.js';
import { LakeReader } from './lake-reader.js';
import { type LiveFeed, LiveHub, lakeAlertPoller, redisLiveFeed } from './live.js';
import { PostgresReader } from './postgres-reader.js';
import { buildServer, type ServerOptions } from './server.js';

export interface UiOptions {
  /** Subscribe to the stream worker's channels on this Redis (REDIS_URL set); else poll the lake. */
  redisUrl?: string;
  /** The lake's queue prefix (the channels are `<prefix>:live:<kind>`); needed with redisUrl. */
  queuePrefix?: string;
  /** How often the lake is polled for new alerts without Redis (ms), default 2000. */
  pollMs?: number;
  /** How often the lake's views are re-pinned to new snapshots (ms), default 2000. */
  refreshMs?: number;
  /** Mounted on the same app (see ServerOptions.extensions). */
  extensions?: ServerOptions['extensions'];
}

export interface UiApp {
  app: FastifyInstance;
  hub: LiveHub;
  /** Where gold is read from and where live events come from, for the start-up line. */
  goldSource: string;
  liveSource: string;
  close(): Promise<void>;
}

/**
 * Everything `marketlake ui` serves, wired from the configuration: gold from PostgreSQL when
 * DATABASE_URL is set, else from the lake (DuckDB, read-only); silver always from the lake; live
 * events from Redis or from polling the lake. `close()` stops the server, the feed and the readers.
 */
export async function openUi(
  config: Config,
  lake: Lake,
  logger: Logger,
  options: UiOptions = {},
): Promise<UiApp> {
  const lakeReader = await LakeReader.open(lake, {
    ...(options.refreshMs ? { refreshMs: options.refreshMs } : {}),
    ...(config.duckdbThreads ? { threads: config.duckdbThreads } : {}),
  });
  const gold: GoldReader = config.databaseUrl ? new PostgresReader(config.databaseUrl) : lakeReader;
  const hub = new LiveHub();
  let feed: LiveFeed | undefined;
  try {
    feed =
      options.redisUrl && options.queuePrefix
        ? await redisLiveFeed(hub, options.redisUrl, options.queuePrefix, logger)
        : await lakeAlertPoller(hub, gold, options.pollMs ?? 2_000, logger);
    const app = await buildServer({
      lake,
      gold,
      silver: lakeReader,
      hub,
      logger,
      ...(options.extensions ? { extensions: options.extensions } : {}),
    });
    const liveFeed = feed;
    return {
      app,
      hub,
      goldSource: config.databaseUrl
        ? `PostgreSQL ${redactUrl(config.databaseUrl)} (schema gold)`
        : 'the lake (DuckDB, read-only)',
      liveSource: liveFeed.description,
      close: async () => {
        await app.close();
        await liveFeed.stop();
        if (gold !== lakeReader) await gold.close();
        await lakeReader.close();
      },
    };
  } catch (err) {
    await feed?.stop();
    if (gold !== lakeReader) await gold.close();
    await lakeReader.close();
    throw err;
  }
}
