import { loadProjectConfig } from '../../orchestrator/project-config.js';
import { resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import { listSchedules, registerSchedules, runsQueue } from '../../orchestrator/queue/schedules.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

/** Register the configured schedules as BullMQ job schedulers (idempotent), or list them. */
export async function scheduleCommand(
  ctx: CommandContext,
  flags: { list?: boolean; config?: string },
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
    return 0;
  } finally {
    await close();
  }
}
