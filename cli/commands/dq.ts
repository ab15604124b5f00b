import { LakeSession, UsageError } from '../../layers/index.js';
import { runQuality } from '../../orchestrator/index.js';
import { REPORT_FORMATS, type ReportFormat, renderReport } from '../../quality/index.js';
import type { CommandContext } from '../context.js';

/** Run every model's checks, save the report, print it; non-zero exit when an error-severity check fails. */
export async function dqCommand(ctx: CommandContext, flags: { format: string }): Promise<number> {
  const format = (ctx.config.json ? 'json' : flags.format) as ReportFormat;
  if (!REPORT_FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
  const session = await LakeSession.open(ctx.lake);
  try {
    const { report, reportKeys } = await runQuality(session);
    process.stdout.write(renderReport(report, format));
    ctx.logger.info({ reports: reportKeys }, 'data-quality report saved');
    return report.summary.failed > 0 ? 1 : 0;
  } finally {
    session.close();
  }
}
