import { resolveQueueTarget } from '../../orchestrator/queue/connection.js';
import { openUi } from '../../web/index.js';
import { type CommandContext, out } from '../context.js';

export interface UiFlags {
  port: number;
  host: string;
}

/** `marketlake ui`: serve the API and the page until SIGTERM/SIGINT. */
export async function uiCommand(ctx: CommandContext, flags: UiFlags): Promise<number> {
  // REDIS_URL set: live events come from the stream worker's channels; otherwise the lake is polled.
  const redisUrl = process.env.REDIS_URL?.trim() ? ctx.config.redisUrl : undefined;
  const queuePrefix = redisUrl ? (await resolveQueueTarget(ctx.config, ctx.lake)).prefix : undefined;
  const ui = await openUi(ctx.config, ctx.lake, ctx.logger, {
    ...(redisUrl && queuePrefix ? { redisUrl, queuePrefix } : {}),
  });
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
    }
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    return 0;
  } finally {
    await ui.close();
  }
}
