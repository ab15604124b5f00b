import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from '../layers/index.js';
import type { FeedRecord } from './feeds/feed.js';
import type { LakeCommitter } from './lake-committer.js';
import type { BatchSink } from './stream-worker.js';

/** The consumer group every committer of a stream joins. */
export const COMMITTER_GROUP = 'committers';

type Packed = [dataset: string, line: number, raw: string | undefined, value?: unknown, error?: string];

const pack = (records: readonly FeedRecord[]): string =>
  JSON.stringify(
    records.map((r): Packed => {
      const p: Packed = [r.dataset, r.record.line, r.record.raw];
      if (r.record.error !== undefined) p.push(undefined, r.record.error);
      else if (r.record.value !== undefined) p.push(r.record.value);
      return p;
    }),
  );

/** The records of one Redis Stream entry (its `records` field), as the connector packed them. */
export function entryRecords(fields: readonly string[]): FeedRecord[] {
  const i = fields.indexOf('records');
  return i >= 0 ? unpack(fields[i + 1] as string) : [];
}

const unpack = (text: string): FeedRecord[] =>
  (JSON.parse(text) as Packed[]).map(([dataset, line, raw, value, error]) => ({
    dataset: dataset as FeedRecord['dataset'],
    record: {
      line,
      ...(raw !== undefined ? { raw } : {}),
      ...(error !== undefined ? { error } : { value }),
    },
  }));

export interface RedisConnectorOptions {
  redisUrl: string;
  streamKey: string;
  /** XADD MAXLEN ~ this many entries (each entry is one micro-batch of the connector). */
  maxLen: number;
  logger: Logger;
}

/**
 * The connector's sink: each micro-batch becomes one Redis Stream entry (XADD ... MAXLEN ~). The
 * entry is the unit committers commit and deduplicate by. Backpressure: while the committers'
 * group lags by more than half of MAXLEN, the connector waits (its socket then pauses), so MAXLEN
 * never trims an entry nobody committed.
 */
export function redisConnectorSink(options: RedisConnectorOptions): BatchSink & { close(): Promise<void> } {
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  let ensured = false;
  return {
    async write(records) {
      if (!ensured) {
        await ensureGroup(redis, options.streamKey);
        ensured = true;
      }
      for (let waited = 0; ; waited++) {
        const lag = await groupLag(redis, options.streamKey);
        if (lag < options.maxLen / 2) break;
        if (waited === 0)
          options.logger.warn({ lag }, 'backpressure: committers lag behind, connector waits');
        await new Promise((r) => setTimeout(r, 200));
      }
      await redis.xadd(options.streamKey, 'MAXLEN', '~', options.maxLen, '*', 'records', pack(records));
    },
    async close() {
      redis.disconnect();
    },
  };
}

async function ensureGroup(redis: Redis, key: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', key, COMMITTER_GROUP, '0', 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
  }
}

async function groupLag(redis: Redis, key: string): Promise<number> {
  const groups = (await redis.xinfo('GROUPS', key)) as unknown[][];
  for (const g of groups) {
    const f: Record<string, unknown> = {};
    for (let i = 0; i < g.length; i += 2) f[String(g[i])] = g[i + 1];
    if (f.name === COMMITTER_GROUP) return Number(f.lag ?? 0) + Number(f.pending ?? 0);
  }
  return 0;
}

export interface RedisCommitterOptions {
  redisUrl: string;
  streamKey: string;
  committer: LakeCommitter;
  logger: Logger;
  consumer?: string;
  /** Entries read per call (each is a connector micro-batch). */
  count?: number;
  /** Entries pending longer than this at a dead consumer are claimed (XAUTOCLAIM). */
  claimIdleMs?: number;
  blockMs?: number;
  signal: AbortSignal;
}

export interface RedisCommitterSummary {
  entries: number;
  records: number;
  claimed: number;
  duplicates: number;
}

/**
 * A committer of the consumer group: reads entries (XREADGROUP), commits each entry as one batch
 * whose identity is its entry id (recorded in the same catalog commit as the rows, via the bronze
 * writer's batch hash), then XACKs it. Entries a killed committer left pending are claimed
 * (XAUTOCLAIM) by another; an entry it had committed before dying is recognised by its identity
 * and only acknowledged: nothing is lost, nothing doubled.
 */
export async function runRedisCommitter(options: RedisCommitterOptions): Promise<RedisCommitterSummary> {
  const { streamKey: key, committer, logger, signal } = options;
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const consumer = options.consumer ?? `${hostname()}-${process.pid}`;
  const summary: RedisCommitterSummary = { entries: 0, records: 0, claimed: 0, duplicates: 0 };
  const count = options.count ?? 4;
  try {
    await ensureGroup(redis, key);
    const handle = async (entries: [string, string[]][]) => {
      for (const [id, fields] of entries) {
        const records = entryRecords(fields);
        const r = await committer.commit(records, id);
        await redis.xack(key, COMMITTER_GROUP, id);
        summary.entries += 1;
        summary.records += records.length;
        summary.duplicates += r.duplicates;
      }
    };
    let idle = 0;
    while (!signal.aborted) {
      const claimed = (await redis.xautoclaim(
        key,
        COMMITTER_GROUP,
        consumer,
        options.claimIdleMs ?? 30_000,
        '0-0',
        'COUNT',
        count,
      )) as [string, [string, string[]][] | null, unknown];
      const claimedEntries = (claimed[1] ?? []).filter((e) => e && Array.isArray(e[1]));
      if (claimedEntries.length) {
        summary.claimed += claimedEntries.length;
        logger.info({ entries: claimedEntries.length }, 'claimed entries of a silent committer');
        await handle(claimedEntries);
        continue;
      }
      const read = (await redis.xreadgroup(
        'GROUP',
        COMMITTER_GROUP,
        consumer,
        'COUNT',
        count,
        'BLOCK',
        options.blockMs ?? 1000,
        'STREAMS',
        key,
        '>',
      )) as [string, [string, string[]][]][] | null;
      const entries = read?.[0]?.[1] ?? [];
      if (entries.length) {
        idle = 0;
        await handle(entries);
      } else if (++idle === 10) await committer.closeIdleWindows();
    }
  } finally {
    redis.disconnect();
  }
  return summary;
}
