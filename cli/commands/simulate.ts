import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simulateMarket } from '../../pipelines/index.js';
import { type CommandContext, out } from '../context.js';
import { type SimulationFlags, simulationOptions } from './simulation-flags.js';

export interface SimulateFlags extends SimulationFlags {
  out: string;
}

/** Write a simulated market as JSON Lines files, one per dataset, ready for `marketlake ingest`. */
export async function simulateCommand(ctx: CommandContext, flags: SimulateFlags): Promise<number> {
  const market = simulateMarket(simulationOptions(flags));
  await mkdir(flags.out, { recursive: true });
  const files: Record<string, unknown[]> = {
    symbol_refs: market.symbolRefs,
    trades: market.trades,
    quotes: market.quotes,
    sentiment_posts: market.posts,
  };
  for (const [dataset, records] of Object.entries(files)) {
    const path = join(flags.out, `${dataset}.jsonl`);
    await writeFile(path, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
    ctx.logger.info({ dataset, path, records: records.length }, 'simulated file written');
    if (!ctx.config.json) out(`${path}: ${records.length} records`);
  }
  if (ctx.config.json) out(JSON.stringify({ out: flags.out, tradingDays: market.tradingDays }));
  return 0;
}
