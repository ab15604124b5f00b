import { loadProjectConfig } from '../../orchestrator/project-config.js';
import { resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import { listSchedules, registerSchedules, runsQueue } from '../../orchestrator/queue/schedules.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

/** Register the configured schedules as BullMQ job schedulers (idempotent), or list them. */
export async function scheduleCommand(
  ctx: CommandContext,
  flags: {
    list?: boolean;
    config?: string;
    watch?: boolean;
    metrics?: boolean;
    metricsPort?: number;
    everySeconds?: number;
  },
): Promise<number> {
  const target = await resolveQueueTarget(ctx.config, ctx.lake);
  const { queue, close } = runsQueue(target);
  try {
    if (!flags.list) {
      const project = loadProjectConfig(flags.config);
      await registerSchedules(queue, project.schedules, target);
      ctx.logger.info(
        {
          schedules: project.schedules.map((s) => s.name),
          queuePrefix: target.prefix,
          lakeId: target.lakeId,
        },
        'schedules registered',
      );
    }
    const schedules = await listSchedules(queue, target);
    if (ctx.config.json) out(JSON.stringify(schedules, null, 2));
    else if (schedules.length === 0) out('no schedules registered');
    else out(renderTable(schedules.map((s) => ({ ...s }))));
    if (flags.watch && !flags.list) await watch(ctx, flags, queue, target);
    return 0;
  } finally {
    await close();
  }
}

/**
 * `schedule --watch`: the scheduler service. Stays up until SIGTERM, re-applies the project's
 * schedules every `everySeconds` (an edited marketlake.yaml takes effect without a restart; a Redis
 * that came back empty gets its schedulers again) and serves metrics, health and queue depth.
 */
async function watch(
  ctx: CommandContext,
  flags: { config?: string; metrics?: boolean; metricsPort?: number; everySeconds?: number },
  queue: Parameters<typeof registerSchedules>[0],
  target: Awaited<ReturnType<typeof resolveQueueTarget>>,
): Promise<void> {
  const ops =
    flags.metrics === false
      ? undefined
      : await (await import('../../ops/index.js')).startServiceOps({
          config: ctx.config,
          lake: ctx.lake,
          logger: ctx.logger,
          target,
          port: flags.metricsPort ?? 9464,
        });
  let applying = false;
  const apply = async () => {
    if (applying) return;
    applying = true;
    try {
      await registerSchedules(queue, loadProjectConfig(flags.config).schedules, target);
    } catch (err) {
      ctx.logger.warn({ err }, 'schedules not re-applied: retrying at the next interval');
    } finally {
      applying = false;
    }
  };
  // At least every 5 s: re-applying is a few Redis round trips per schedule.
  const everySeconds = Math.max(5, flags.everySeconds ?? 60);
  const timer = setInterval(() => void apply(), everySeconds * 1000);
  ctx.logger.info({ everySeconds }, 'scheduler watching');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  clearInterval(timer);
  await ops?.close();
  ctx.logger.info('scheduler stopped');
}
