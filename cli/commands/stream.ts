import { hostname } from 'node:os';
import { LakeSession, onLakeEvent, UsageError } from '../../layers/index.js';
import { runModels } from '../../orchestrator/index.js';
import { resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import {
  alpacaFeed,
  binanceFeed,
  committerSink,
  type Feed,
  LakeCommitter,
  type LivePublisher,
  liveChannel,
  redisConnectorSink,
  runRedisCommitter,
  runStream,
} from '../../streaming/index.js';
import { type CommandContext, out } from '../context.js';

export interface StreamFlags {
  source?: string;
  url?: string;
  symbols?: string;
  channels?: string;
  flushMs: number;
  maxRecords: number;
  latenessMs: number;
  to?: string;
  from?: string;
  streamKey?: string;
  maxlen: number;
  consumer?: string;
  gaps?: boolean;
  metrics?: boolean;
  metricsPort?: number;
  refreshMs: number;
}

function feedOf(flags: StreamFlags): Feed {
  const symbols = flags.symbols
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (flags.source === 'alpaca') {
    const key = process.env.APCA_API_KEY_ID ?? (flags.url ? 'sim' : undefined);
    const secret = process.env.APCA_API_SECRET_KEY ?? (flags.url ? 'sim' : undefined);
    if (!key || !secret)
      throw new UsageError('stream --source alpaca needs APCA_API_KEY_ID and APCA_API_SECRET_KEY');
    return alpacaFeed({
      key,
      secret,
      ...(flags.url ? { url: flags.url } : {}),
      ...(symbols ? { trades: symbols, quotes: symbols, bars: symbols } : {}),
    });
  }
  if (flags.source === 'binance') {
    const channels = (flags.channels ?? 'trade').split(',').map((c) => c.trim());
    for (const c of channels)
      if (c !== 'trade' && c !== 'aggTrade')
        throw new UsageError(`--channels: ${c} is not trade or aggTrade`);
    return binanceFeed({
      symbols: symbols ?? ['btcusdt'],
      channels: channels as ('trade' | 'aggTrade')[],
      ...(flags.url ? { url: flags.url } : {}),
    });
  }
  throw new UsageError('stream needs --source alpaca or --source binance (or --from redis, or --gaps)');
}

/** Live feed → bronze micro-batches (direct), → a Redis Stream (--to redis), or Redis Stream → bronze (--from redis). */
export async function streamCommand(ctx: CommandContext, flags: StreamFlags): Promise<number> {
  if (flags.gaps) {
    const gaps = await ctx.lake.streamGaps.list({ all: true });
    if (ctx.config.json) out(JSON.stringify(gaps));
    else if (!gaps.length) out('no gaps recorded');
    else
      for (const g of gaps)
        out(
          `${g.gapId}\t${g.source}\t${g.dataset}\t${g.symbol ?? '*'}\t${g.gapFrom}\t${g.gapTo}\t${g.filledAt ? `filled ${g.filledAt}` : 'open'}`,
        );
    return 0;
  }
  for (const [flag, v] of [
    ['--to', flags.to],
    ['--from', flags.from],
  ] as const)
    if (v !== undefined && v !== 'redis') throw new UsageError(`${flag} takes redis`);
  if (!flags.source && !flags.from) feedOf(flags); // throws the usage error
  const controller = new AbortController();
  const stop = (signal: string) => {
    ctx.logger.info({ signal }, 'stopping: flush, commit, exit');
    controller.abort();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  const redisWanted = flags.to === 'redis' || flags.from === 'redis' || process.env.REDIS_URL !== undefined;
  const target = redisWanted ? await resolveQueueTarget(ctx.config, ctx.lake) : undefined;
  const streamKey = flags.streamKey ?? `${target?.prefix ?? 'marketlake'}:stream:${flags.source ?? 'alpaca'}`;
  // /metrics (lag, messages/s: the committer's telemetry events), /healthz, /readyz.
  const ops =
    flags.metrics === false
      ? undefined
      : await (await import('../../ops/index.js')).startServiceOps({
          config: ctx.config,
          lake: ctx.lake,
          logger: ctx.logger,
          port: flags.metricsPort ?? 9464,
          checkRedis: redisWanted,
          ...(target ? { target } : {}),
        });

  if (flags.to === 'redis') {
    const sink = redisConnectorSink({
      redisUrl: ctx.config.redisUrl,
      streamKey,
      maxLen: flags.maxlen,
      logger: ctx.logger,
    });
    try {
      const summary = await runStream({
        feed: feedOf(flags),
        logger: ctx.logger,
        sink,
        gaps: ctx.lake.streamGaps,
        flushIntervalMs: flags.flushMs,
        maxBatchRecords: flags.maxRecords,
        signal: controller.signal,
      });
      ctx.logger.info({ ...summary, streamKey }, 'connector stopped');
      if (ctx.config.json) out(JSON.stringify({ ...summary, streamKey }));
      return summary.fatal ? 1 : 0;
    } finally {
      await sink.close();
      await ops?.close();
    }
  }

  const session = await LakeSession.open(ctx.lake);
  let publisher: { publish: LivePublisher; close(): void } | undefined;
  if (target && process.env.REDIS_URL !== undefined) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(ctx.config.redisUrl, { maxRetriesPerRequest: 2 });
    redis.on('error', () => {});
    publisher = {
      publish: (kind, event) => {
        void redis.publish(liveChannel(target.prefix, kind), JSON.stringify(event)).catch(() => {});
      },
      close: () => redis.disconnect(),
    };
  }
  const committer = new LakeCommitter({
    session,
    logger: ctx.logger,
    source: `stream:${flags.source ?? 'redis'}`,
    allowedLatenessMs: flags.latenessMs,
    ...(publisher ? { publish: publisher.publish } : {}),
  });
  // Debounced refresh of the models downstream of bronze (incremental: only partitions whose
  // inputs changed), so today's gold.fact_bars trails the feed by about --refresh-ms.
  let dirty = false;
  let refreshing: Promise<void> | undefined;
  const stopListening = onLakeEvent((e) => {
    if (e.type === 'stream' && e.accepted > 0) dirty = true;
  });
  const refreshTimer =
    flags.refreshMs > 0
      ? setInterval(() => {
          if (!dirty || refreshing) return;
          dirty = false;
          refreshing = (async () => {
            const refreshSession = await LakeSession.open(ctx.lake);
            try {
              const tasks = await runModels(refreshSession, ctx.logger, { selectors: ['+gold.fact_bars'] });
              const failed = tasks.filter((t) => t.status === 'failed').map((t) => t.task);
              if (failed.length) ctx.logger.warn({ failed }, 'live refresh: some models failed');
            } catch (err) {
              ctx.logger.warn({ err }, 'live refresh failed');
            } finally {
              refreshSession.close();
              refreshing = undefined;
            }
          })();
        }, flags.refreshMs)
      : undefined;
  try {
    if (flags.from === 'redis') {
      const summary = await runRedisCommitter({
        redisUrl: ctx.config.redisUrl,
        streamKey,
        committer,
        logger: ctx.logger,
        consumer: flags.consumer ?? `${hostname()}-${process.pid}`,
        signal: controller.signal,
      });
      ctx.logger.info({ ...summary, ...committer.stats }, 'committer stopped');
      if (ctx.config.json) out(JSON.stringify({ ...summary, ...committer.stats }));
      return 0;
    }
    const summary = await runStream({
      feed: feedOf(flags),
      logger: ctx.logger,
      sink: committerSink(committer),
      gaps: ctx.lake.streamGaps,
      flushIntervalMs: flags.flushMs,
      maxBatchRecords: flags.maxRecords,
      signal: controller.signal,
    });
    ctx.logger.info({ ...summary, ...committer.stats }, 'stream stopped');
    if (ctx.config.json) out(JSON.stringify({ ...summary, ...committer.stats }));
    else
      out(
        `committed ${committer.stats.accepted} records (${committer.stats.quarantined} quarantined) in ${committer.stats.commits} commits; ${summary.gaps} gaps; ${committer.stats.alerts} live alerts`,
      );
    if (summary.fatal) {
      process.stderr.write(`stream: ${summary.fatal}\n`);
      return 1;
    }
    return 0;
  } finally {
    if (refreshTimer) clearInterval(refreshTimer);
    stopListening();
    await refreshing;
    publisher?.close();
    await session.close();
    await ops?.close();
  }
}
