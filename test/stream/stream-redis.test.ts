import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, LakeSession } from '../../layers/index.js';
import { type AlpacaSimulatorStats, startAlpacaSimulator } from '../../pipelines/index.js';
import {
  alpacaFeed,
  COMMITTER_GROUP,
  entryRecords,
  LakeCommitter,
  type RedisCommitterSummary,
  redisConnectorSink,
  runRedisCommitter,
  runStream,
} from '../../streaming/index.js';
import { tempLake } from '../helpers/temp-lake.js';

/**
 * Scale-out on Redis Streams (real Redis at 127.0.0.1:6379, a stream key of its own): a connector
 * appends the simulator's feed as entries; a committer reads two entries, commits the first and
 * dies before its XACK (and before committing the second); two committers of the same group then
 * claim the dead one's entries (XAUTOCLAIM) and share the rest. Every trade sent is in bronze once.
 */
const logger = createLogger({ level: 'silent', json: true });
const REDIS_URL = 'redis://127.0.0.1:6379';

describe('stream --to redis / --from redis', () => {
  let env: Awaited<ReturnType<typeof tempLake>>;
  let sessions: LakeSession[];
  let redis: Redis;
  const key = `marketlake-test-${randomUUID()}:stream:alpaca`;
  let stats: AlpacaSimulatorStats;
  let summaries: RedisCommitterSummary[];

  beforeAll(async () => {
    env = await tempLake();
    sessions = [
      await LakeSession.open(env.lake),
      await LakeSession.open(env.lake),
      await LakeSession.open(env.lake),
    ];
    redis = new Redis(REDIS_URL);
    const sim = await startAlpacaSimulator({
      port: 0,
      key: 'k',
      secret: 's',
      tradesPerSecond: 4000,
      speed: 60,
      startMs: Date.parse('2024-03-04T15:00:00Z'),
      maxTrades: 6000,
    });
    const sink = redisConnectorSink({ redisUrl: REDIS_URL, streamKey: key, maxLen: 10_000, logger });
    const connector = new AbortController();
    const connecting = runStream({
      feed: alpacaFeed({ url: sim.url, key: 'k', secret: 's' }),
      logger,
      sink,
      signal: connector.signal,
      flushIntervalMs: 200,
    });
    while (sim.stats().tradesGenerated < 6000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    connector.abort();
    await connecting;
    await sink.close();
    stats = sim.stats();
    await sim.close();

    // A committer that dies: reads two entries, commits the first, never acknowledges either.
    const dead = new LakeCommitter({ session: sessions[0]!, logger, source: 'stream:alpaca' });
    const read = (await redis.xreadgroup(
      'GROUP',
      COMMITTER_GROUP,
      'dead',
      'COUNT',
      2,
      'STREAMS',
      key,
      '>',
    )) as [string, [string, string[]][]][];
    const [first] = read[0]![1];
    await dead.commit(entryRecords(first![1]), first![0]);

    const controller = new AbortController();
    const committers = [1, 2].map((i) =>
      runRedisCommitter({
        redisUrl: REDIS_URL,
        streamKey: key,
        committer: new LakeCommitter({ session: sessions[i]!, logger, source: 'stream:alpaca' }),
        logger,
        consumer: `c${i}`,
        claimIdleMs: 1000,
        blockMs: 200,
        signal: controller.signal,
      }),
    );
    for (;;) {
      const pending = (await redis.xpending(key, COMMITTER_GROUP)) as [number, ...unknown[]];
      const groups = (await redis.xinfo('GROUPS', key)) as unknown[][];
      const lag = Number(groups[0]![groups[0]!.indexOf('lag') + 1]);
      if (pending[0] === 0 && lag === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    controller.abort();
    summaries = await Promise.all(committers);
  }, 120_000);

  afterAll(async () => {
    await redis?.del(key);
    redis?.disconnect();
    for (const s of sessions ?? []) s.close();
    await env?.cleanup();
  });

  it('loses nothing and doubles nothing when a committer dies between commit and XACK', async () => {
    const reader = await LakeSession.open(env.lake); // sees every committer's commits
    sessions.push(reader);
    const [row] = await reader.all<{ n: string; d: string }>(
      'SELECT count(*) n, count(DISTINCT (symbol, trade_id)) d FROM bronze.trades',
    );
    expect(Number(row?.n)).toBe(stats.tradesSent);
    expect(Number(row?.d)).toBe(stats.tradesSent);
    const [quotes] = await reader.all<{ n: string }>('SELECT count(*) n FROM bronze.quotes');
    expect(Number(quotes?.n)).toBe(stats.quotesSent);
    const claimed = summaries.reduce((n, s) => n + s.claimed, 0);
    const duplicates = summaries.reduce((n, s) => n + s.duplicates, 0);
    expect(claimed).toBeGreaterThanOrEqual(2); // the dead committer's two entries (a slow commit may be claimed too)
    expect(duplicates).toBeGreaterThanOrEqual(1); // its committed entry, recognised by its id
    // Every entry was acknowledged by one of the two committers (the dead one's included).
    // (an entry whose slow commit was claimed meanwhile is counted by both)
    expect(summaries.reduce((n, s) => n + s.entries, 0)).toBeGreaterThanOrEqual(await redis.xlen(key));
  });
});
