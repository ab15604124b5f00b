import type { Config, Lake, Logger } from '../layers/index.js';
import type { QueueTarget } from '../orchestrator/queue/connection.js';
import { installMetrics } from './metrics.js';
import { startOpsServer } from './ops-server.js';
import { type LakeQueues, openLakeQueues, registerQueueBoard } from './queue-board.js';
import { refreshQueueMetrics } from './queue-metrics.js';
import { createReadiness } from './readiness.js';

export interface ServiceOpsOptions {
  config: Pick<Config, 'redisUrl' | 'databaseUrl'>;
  lake: Pick<Lake, 'catalog'>;
  logger: Logger;
  /** The lake's queues (depth metrics and the board); omit for a process without queues. */
  target?: Pick<QueueTarget, 'redisUrl' | 'prefix'>;
  /** `--metrics-port`; 0 picks a free port. */
  port: number;
  host?: string;
  /** Check Redis for readiness (default true; false for a process that runs without Redis). */
  checkRedis?: boolean;
  /** Mount the queue board at /queues (`worker --queue-board`); `admin` allows job actions. */
  queueBoard?: { admin: boolean };
}

export interface ServiceOps {
  /** The port the endpoints listen on; undefined when the server could not start. */
  readonly port: number | undefined;
  close(): Promise<void>;
}

/**
 * Metrics, health and (optionally) the queue board of a long-running command (`worker`,
 * `schedule --watch`, `stream`). A port already in use is logged as an error and the command goes
 * on without the endpoints: the work matters more than its dashboard, and Prometheus' `up` shows it.
 */
export async function startServiceOps(options: ServiceOpsOptions): Promise<ServiceOps> {
  const { logger } = options;
  const stopMetrics = installMetrics();
  const readiness = createReadiness(options.config, options.lake, { redis: options.checkRedis !== false });
  const queues: LakeQueues | undefined = options.target ? openLakeQueues(options.target) : undefined;
  const closeRest = async () => {
    stopMetrics();
    await readiness.close();
    await queues?.close();
  };
  try {
    const server = await startOpsServer({
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
      readiness,
      logger,
      ...(queues
        ? { beforeScrape: () => refreshQueueMetrics({ runs: queues.runs, tasks: queues.tasks }) }
        : {}),
      ...(queues && options.queueBoard
        ? {
            extend: async (app) => {
              await registerQueueBoard(app, queues, { admin: options.queueBoard!.admin });
            },
          }
        : {}),
    });
    logger.info(
      {
        port: server.port,
        endpoints: ['/metrics', '/healthz', '/readyz', ...(options.queueBoard ? ['/queues'] : [])],
        ...(options.queueBoard ? { queueAdmin: options.queueBoard.admin } : {}),
      },
      'ops endpoints listening',
    );
    return {
      port: server.port,
      async close() {
        await server.close();
        await closeRest();
      },
    };
  } catch (err) {
    logger.error({ err, port: options.port }, 'ops endpoints not started (metrics and health unavailable)');
    return { port: undefined, close: closeRest };
  }
}
