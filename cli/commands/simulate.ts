import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simulateMarket } from '../../pipelines/index.js';
import { type CommandContext, out } from '../context.js';

export interface SimulateFlags {
  out: string;
  days: number;
  seed: number;
  start: string;
  tradesPerDay: number;
  quotesPerDay: number;
  postsPerDay: number;
  badRate: number;
}

/** Write a simulated market as JSON Lines files, one per dataset, ready for `marketlake ingest`. */
export async function simulateCommand(ctx: CommandContext, flags: SimulateFlags): Promise<number> {
  const market = simulateMarket({
    seed: flags.seed,
    startDate: flags.start,
    days: flags.days,
    tradesPerSymbolDay: flags.tradesPerDay,
    quotesPerSymbolDay: flags.quotesPerDay,
    postsPerSymbolDay: flags.postsPerDay,
    badRecordRate: flags.badRate,
  });
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
