import { loadProjectConfig } from '../../orchestrator/project-config.js';
import { startWorker } from '../../orchestrator/queue/workers.js';
import type { CommandContext } from '../context.js';

/** Process BullMQ tasks and run coordinators until SIGTERM/SIGINT, then shut down gracefully. */
export async function workerCommand(
  ctx: CommandContext,
  flags: {
    concurrency: number;
    config?: string;
    catchUp: boolean;
    graceSeconds: number;
    metrics: boolean;
    metricsPort: number;
    queueBoard?: boolean;
    queueAdmin?: boolean;
  },
): Promise<number> {
  const project = loadProjectConfig(flags.config);
  // 'service': the tasks' DuckDB sessions read and write only the lake, a scratch folder and the
  // sources' landing folders; everything else on the machine is refused by DuckDB itself.
  const worker = await startWorker(
    { config: ctx.config, lake: ctx.lake, logger: ctx.logger, project, sessionAccess: 'service' },
    { concurrency: flags.concurrency, catchUp: flags.catchUp },
  );
  // Metrics, /healthz, /readyz (and the queue board with --queue-board) for Prometheus and probes.
  const ops = flags.metrics
    ? await (await import('../../ops/index.js')).startServiceOps({
        config: ctx.config,
        lake: ctx.lake,
        logger: ctx.logger,
        target: worker.target,
        port: flags.metricsPort,
        ...(flags.queueBoard ? { queueBoard: { admin: flags.queueAdmin === true } } : {}),
      })
    : undefined;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      ctx.logger.info(
        { signal, graceSeconds: flags.graceSeconds },
        'worker stopping: finishing current tasks',
      );
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await worker.close(flags.graceSeconds * 1000);
  await ops?.close();
  ctx.logger.info('worker stopped');
  return 0;
}
