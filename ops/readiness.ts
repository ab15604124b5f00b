import { Redis } from 'ioredis';
import pg from 'pg';
import type { Config, Lake } from '../layers/index.js';
import { metrics } from './metrics.js';

/** One dependency's answer at the last check. */
export interface DependencyStatus {
  ok: boolean;
  ms: number;
  /** Why it is not ready (never a URL or a secret). */
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checkedAt: string;
  dependencies: Record<string, DependencyStatus>;
}

export interface Readiness {
  /** Check every dependency (at most once per `cacheMs`; concurrent callers share one check). */
  check(): Promise<ReadinessReport>;
  close(): Promise<void>;
}

export interface ReadinessOptions {
  /** Give up on a dependency after this long (default 2 s): a probe must answer quickly. */
  timeoutMs?: number;
  /** Reuse a report this young (default 1 s), so probes and scrapes do not hammer the databases. */
  cacheMs?: number;
  /** Check Redis (default true: every long-running process needs its queues). */
  redis?: boolean;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** An error's message without anything that looks like a URL with credentials. */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s]+/gi, '<url>').slice(0, 200);
}

/**
 * Readiness of a long-running process: Redis (its own connection, which fails at once while Redis
 * is down instead of queueing commands, and reconnects every second), the catalog (a table
 * listing) and, when DATABASE_URL is set, the serving PostgreSQL (`SELECT 1` on a fresh
 * connection). Readiness turns false at the first check after Redis goes away and true at the
 * first one after it is back (reconnect within about a second).
 */
export function createReadiness(
  config: Pick<Config, 'redisUrl' | 'databaseUrl'>,
  lake: Pick<Lake, 'catalog'>,
  options: ReadinessOptions = {},
): Readiness {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const cacheMs = options.cacheMs ?? 1_000;
  const redis =
    options.redis === false
      ? undefined
      : new Redis(config.redisUrl, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: timeoutMs,
          retryStrategy: () => 1_000,
          lazyConnect: false,
        });
  // A refused connection is reported by the check; ioredis would log it as unhandled otherwise.
  redis?.on('error', () => {});

  const probes: Record<string, () => Promise<unknown>> = {
    catalog: () => lake.catalog.listTables(),
  };
  if (redis) probes.redis = () => redis.ping();
  if (config.databaseUrl) {
    const url = config.databaseUrl;
    probes.postgres = async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => {});
      }
    };
  }

  let last: ReadinessReport | undefined;
  let lastAt = 0;
  let running: Promise<ReadinessReport> | undefined;

  const run = async (): Promise<ReadinessReport> => {
    const entries = await Promise.all(
      Object.entries(probes).map(async ([name, probe]): Promise<[string, DependencyStatus]> => {
        const started = performance.now();
        try {
          await withTimeout(probe(), timeoutMs, name);
          return [name, { ok: true, ms: Math.round(performance.now() - started) }];
        } catch (err) {
          return [name, { ok: false, ms: Math.round(performance.now() - started), error: reason(err) }];
        }
      }),
    );
    const dependencies = Object.fromEntries(entries);
    for (const [name, s] of entries) metrics.up.set({ dependency: name }, s.ok ? 1 : 0);
    return {
      ready: entries.every(([, s]) => s.ok),
      checkedAt: new Date().toISOString(),
      dependencies,
    };
  };

  return {
    check() {
      if (last && Date.now() - lastAt < cacheMs) return Promise.resolve(last);
      running ??= run()
        .then((report) => {
          last = report;
          lastAt = Date.now();
          return report;
        })
        .finally(() => {
          running = undefined;
        });
      return running;
    },
    async close() {
      redis?.disconnect();
    },
  };
}
