import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../layers/index.js';
import { registry } from './metrics.js';
import type { Readiness } from './readiness.js';

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`queue depth not read within ${ms} ms`)), ms);
  });
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Default port of `/metrics`, `/healthz` and `/readyz` (Prometheus' range for exporters). */
export const DEFAULT_METRICS_PORT = 9464;

export interface OpsServerOptions {
  port: number;
  /** Default `0.0.0.0`: Prometheus and the container runtime probe from outside the process. */
  host?: string;
  readiness: Readiness;
  logger: Logger;
  /** Refreshed before each scrape (queue depth); a failure is logged and the scrape still answers. */
  beforeScrape?: () => Promise<void>;
  /** Give up on `beforeScrape` after this long (default 2 s): a scrape must answer while Redis is away. */
  scrapeTimeoutMs?: number;
  /** Extra routes (the queue board) mounted before the server listens. */
  extend?: (app: FastifyInstance) => Promise<void>;
}

export interface OpsServer {
  readonly app: FastifyInstance;
  /** The port it listens on (the chosen one when `port` was 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The ops endpoints of a long-running process: `/metrics` (Prometheus text), `/healthz` (200 while
 * the process serves requests) and `/readyz` (200 when Redis, the catalog and PostgreSQL answer,
 * 503 with the failing dependency otherwise; JSON either way).
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const app = Fastify({ logger: false });
  let lastScrapeError = '';
  app.get('/metrics', async (_req, reply) => {
    if (options.beforeScrape) {
      try {
        await withTimeout(options.beforeScrape(), options.scrapeTimeoutMs ?? 2_000);
        lastScrapeError = '';
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // Once per distinct problem: Prometheus scrapes every few seconds.
        if (message !== lastScrapeError) options.logger.warn({ err }, 'metrics: queue depth unavailable');
        lastScrapeError = message;
      }
    }
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  app.get('/healthz', async () => ({
    status: 'ok',
    pid: process.pid,
    uptimeSeconds: Math.round(process.uptime()),
  }));
  app.get('/readyz', async (_req, reply) => {
    const report = await options.readiness.check();
    reply.code(report.ready ? 200 : 503);
    return report;
  });
  if (options.extend) await options.extend(app);
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    app,
    port,
    close: () => app.close(),
  };
}
