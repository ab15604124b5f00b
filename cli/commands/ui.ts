import { resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import { openUi } from '../../web/index.js';
import { type CommandContext, out } from '../context.js';

export interface UiFlags {
  port: number;
  host: string;
  metrics?: boolean;
  metricsPort?: number;
  queueAdmin?: boolean;
}

/** `marketlake ui`: serve the API and the page until SIGTERM/SIGINT. */
export async function uiCommand(ctx: CommandContext, flags: UiFlags): Promise<number> {
  // REDIS_URL set: live events come from the stream worker's channels; otherwise the lake is polled.
  const redisUrl = process.env.REDIS_URL?.trim() ? ctx.config.redisUrl : undefined;
  const target = redisUrl ? await resolveQueueTarget(ctx.config, ctx.lake) : undefined;
  const queuePrefix = target?.prefix;
  // With Redis: the run and task queues at /queues (bull-board; read-only unless --queue-admin).
  const opsModule = redisUrl || flags.metrics !== false ? await import('../../ops/index.js') : undefined;
  const queues = target && opsModule ? opsModule.openLakeQueues(target) : undefined;
  const ui = await openUi(ctx.config, ctx.lake, ctx.logger, {
    ...(redisUrl && queuePrefix ? { redisUrl, queuePrefix } : {}),
    ...(queues && opsModule
      ? {
          extensions: [
            async (app) => {
              await opsModule.registerQueueBoard(app, queues, { admin: flags.queueAdmin === true });
            },
          ],
        }
      : {}),
  });
  // /metrics, /healthz, /readyz on --metrics-port (probes and Prometheus, apart from the public port).
  const ops =
    opsModule && flags.metrics !== false
      ? await opsModule.startServiceOps({
          config: ctx.config,
          lake: ctx.lake,
          logger: ctx.logger,
          port: flags.metricsPort ?? 9464,
          checkRedis: redisUrl !== undefined,
          ...(target ? { target } : {}),
        })
      : undefined;
  try {
    const address = await ui.app.listen({ port: flags.port, host: flags.host });
    const url = address.replace('://127.0.0.1', '://localhost');
    if (ctx.config.json) {
      out(JSON.stringify({ url, api: `${url}/api/v1`, gold: ui.goldSource, live: ui.liveSource }));
    } else {
      out(`marketlake ui on ${url}`);
      out(`  API     ${url}/api/v1 (OpenAPI: ${url}/api/v1/openapi.json, docs: ${url}/api/v1/docs)`);
      out(`  gold    ${ui.goldSource}`);
      out(`  live    ${ui.liveSource}`);
      if (queues) out(`  queues  ${url}/queues${flags.queueAdmin ? ' (admin)' : ' (read-only)'}`);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    return 0;
  } finally {
    await ui.close();
    await ops?.close();
    await queues?.close();
  }
}
