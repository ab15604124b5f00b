import { LakeSession, MarketlakeError, UsageError } from '../../layers/index.js';
import { isPartitionDate, MODELS } from '../../models/index.js';
import { buildDag, QUALITY_TARGETS, runQuality, selectModels } from '../../orchestrator/index.js';
import { REPORT_FORMATS, type ReportFormat, renderReport } from '../../quality/index.js';
import { type CommandContext, out } from '../context.js';
import { renderTable } from '../format.js';

export interface DqFlags {
  format: string;
  select?: string[];
  from?: string;
  to?: string;
  history?: string;
  runs?: number;
}

/**
 * Run the checks (every model and bronze dataset, or the selected ones), store the results in the
 * catalog, save the report and print it. Exit 0: every check passed or only warned; 1: an
 * error-severity check failed; 2: a check could not run, or nothing could (bad lake, bad usage).
 * `--history <check>` prints a check's results over the last runs instead.
 */
export async function dqCommand(ctx: CommandContext, flags: DqFlags): Promise<number> {
  const format = (ctx.config.json ? 'json' : flags.format) as ReportFormat;
  if (!REPORT_FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
  for (const [flag, value] of [
    ['--from', flags.from],
    ['--to', flags.to],
  ] as const)
    if (value !== undefined && !isPartitionDate(value))
      throw new UsageError(`${flag} must be a date (YYYY-MM-DD): ${value}`);
  if (flags.from && flags.to && flags.from > flags.to)
    throw new UsageError(`--from ${flags.from} is after --to ${flags.to}`);
  if (flags.history !== undefined) return history(ctx, flags.history, flags.runs ?? 20, format);
  let session: LakeSession | undefined;
  try {
    session = await LakeSession.open(ctx.lake);
    let targets = QUALITY_TARGETS;
    if (flags.select?.length) {
      const bronze = new Set(flags.select.filter((s) => s.startsWith('bronze.')));
      const models = flags.select.filter((s) => !s.startsWith('bronze.'));
      const picked = models.length
        ? selectModels(await buildDag(session, MODELS), models)
        : new Set<string>();
      targets = QUALITY_TARGETS.filter((t) => {
        const name = `${t.ref.layer}.${t.ref.name}`;
        return bronze.has(name) || picked.has(name);
      });
      const unknown = [...bronze].filter((b) => !targets.some((t) => `${t.ref.layer}.${t.ref.name}` === b));
      if (unknown.length) throw new UsageError(`no checks for ${unknown.join(', ')}`);
    }
    const { report, reportKeys } = await runQuality(session, undefined, {
      targets,
      ...(flags.from ? { from: flags.from } : {}),
      ...(flags.to ? { to: flags.to } : {}),
      // Freshness against the end of the asked range, when one is given (the run's logical date).
      ...(flags.to ? { referenceAt: new Date(`${flags.to}T23:59:59.999Z`) } : {}),
    });
    process.stdout.write(renderReport(report, format));
    ctx.logger.info({ reports: reportKeys }, 'data-quality report saved');
    if (report.results.some((r) => r.status === 'fail' && r.severity === 'error')) return 1;
    if (report.results.some((r) => r.status === 'error')) return 2;
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // Could not run at all: one line, exit 2.
    const text = err instanceof MarketlakeError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`marketlake dq: could not run: ${text}\n`);
    return 2;
  } finally {
    session?.close();
  }
}

/** `dq --history <check>`: the check's whole-scope result in each of the last runs, newest first. */
async function history(
  ctx: CommandContext,
  check: string,
  runs: number,
  format: ReportFormat,
): Promise<number> {
  // `model.check` or just `check` (every table with a check of that name).
  const known = QUALITY_TARGETS.flatMap((t) =>
    t.checks.map((c) => ({ model: `${t.ref.layer}.${t.ref.name}`, check: c.name })),
  );
  const match = known.filter((k) => `${k.model}.${k.check}` === check || k.check === check);
  if (match.length === 0)
    throw new UsageError(`no check named ${check} (give <check> or <layer>.<table>.<check>)`);
  const rows = [];
  for (const m of new Map(match.map((k) => [`${k.model}|${k.check}`, k])).values())
    rows.push(...(await ctx.lake.checks.recent({ model: m.model, check: m.check, runs })));
  rows.sort((a, b) => (a.checkedAt < b.checkedAt ? 1 : -1));
  const passed = rows.filter((r) => r.status === 'pass').length;
  if (format === 'json') {
    out(
      JSON.stringify(
        { check, runs: rows.length, passed, results: rows.map(({ sample: _s, ...r }) => r) },
        null,
        2,
      ),
    );
  } else {
    out(`${check}: passed ${passed} of the last ${rows.length} result(s)`);
    out(
      renderTable(
        rows.map((r) => ({
          checked_at: r.checkedAt,
          run: r.runId,
          table: r.model,
          status: r.status,
          rows: r.rows,
          failing_rows: r.failingRows,
        })),
      ),
    );
  }
  return 0;
}
