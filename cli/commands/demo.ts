import { runDemo } from '../../orchestrator/index.js';
import { type CommandContext, out } from '../context.js';
import { formatMs } from '../format.js';
import { type SimulationFlags, simulationOptions } from './simulation-flags.js';

export interface DemoFlags extends SimulationFlags {
  serve: boolean;
}

export async function demoCommand(ctx: CommandContext, flags: DemoFlags): Promise<number> {
  const simulation = simulationOptions(flags);
  const summary = await runDemo(ctx.config, ctx.lake, ctx.logger, { simulation, serve: flags.serve });
  if (ctx.config.json) {
    out(JSON.stringify(summary, null, 2));
    return summary.status === 'succeeded' ? 0 : 1;
  }
  out(`\nmarketlake demo ${summary.status} (run ${summary.runId})`);
  out(`lake: ${ctx.lake.store.displayUrl}\n`);
  out('ingestion (records read = accepted + quarantined + skipped):');
  for (const b of summary.ingestion) {
    const note = b.duplicateBatch ? '  (same batch already ingested: skipped)' : '';
    out(
      `  ${b.dataset.padEnd(16)} read ${b.read}  accepted ${b.accepted}  quarantined ${b.quarantined}${b.skipped ? `  skipped ${b.skipped}` : ''}${note}`,
    );
  }
  out('\nrows per table:');
  for (const t of summary.tables) out(`  ${t.table.padEnd(28)} ${t.rows}`);
  out('\ntime per step:');
  for (const s of summary.steps) out(`  ${s.step.padEnd(10)} ${formatMs(s.ms)}`);
  const failedModels = summary.models.filter((m) => m.status !== 'succeeded');
  for (const m of failedModels) out(`  model ${m.task} ${m.status}: ${m.error ?? ''}`);
  const q = summary.quality;
  out(`\ndata quality: ${q.passed}/${q.checks} checks passed, ${q.failed} failed, ${q.warned} warnings`);
  const md = summary.reportKeys.find((k) => k.endsWith('.md'));
  if (md) out(`report: ${ctx.lake.store.displayUrl}/${md} (also .html and .json)`);
  if (summary.served) {
    const rows = summary.served.tables.map((t) => `gold.${t.table} ${t.rows}`).join(', ');
    out(`served to ${summary.served.target}: ${rows}`);
  }
  out('\ntry:');
  out(
    `  npx marketlake query "select symbol, count(*) as trades, round(avg(price), 2) as avg_price from silver.trades group by 1 order by 1"`,
  );
  out(`  npx marketlake query "select * from gold.fact_bars where symbol = 'AAPL' and interval = '1d'"`);
  out(
    `  npx marketlake query "select symbol, interval, count(*) as bars from gold.fact_bars group by all order by 1, 2" --format csv`,
  );
  // The dashboard reads the same lake: name it when the lake is not the default ./lake.
  const lakeFlag = ctx.config.lakeUrl === './lake' ? '' : ` --lake ${ctx.lake.store.displayUrl}`;
  out('\ndashboard (charts, live alerts, pipeline runs) and REST API:');
  out(`  npx marketlake${lakeFlag} ui --port 8080`);
  out('  then open http://localhost:8080 (API: http://localhost:8080/api/v1/openapi.json)');
  return summary.status === 'succeeded' ? 0 : 1;
}
