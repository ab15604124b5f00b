import { DATASET_NAMES, isDatasetName } from '../../contracts/index.js';
import { LakeSession, MarketlakeError, UsageError } from '../../layers/index.js';
import { assertInputFile, INGEST_FORMATS, type IngestFlags, ingestFile } from '../../pipelines/index.js';
import { type CommandContext, out } from '../context.js';

export type { IngestFlags } from '../../pipelines/index.js';

/** Reasons printed under a file's counts; the rest are summed up (all are in `--json`). */
const TOP_SKIP_REASONS = 5;

/** `  skipped: <n> <reason>; ...`: the most frequent skip reasons of a file, or nothing. */
function skipReasonsLine(reasons: Readonly<Record<string, number>>): string | undefined {
  const sorted = Object.entries(reasons).sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length === 0) return undefined;
  const shown = sorted.slice(0, TOP_SKIP_REASONS).map(([reason, n]) => `${n} ${reason}`);
  const rest = sorted.slice(TOP_SKIP_REASONS);
  if (rest.length)
    shown.push(`${rest.reduce((sum, [, n]) => sum + n, 0)} for ${rest.length} other reasons (see --json)`);
  return `  skipped: ${shown.join('; ')}`;
}

/**
 * Files to bronze: one batch per file, counts printed and logged per file: read = accepted +
 * quarantined + skipped (records that are not the dataset's, e.g. a quote message when loading
 * trades; `skipped N` and its top reasons are printed when there are any). Every path is
 * checked before anything is read (a typo fails the command up front); a file that then fails
 * (corrupt gzip, I/O) is reported and the others still go in: each file is its own atomic
 * batch, and a rerun skips the ones already ingested. Exit 1 when any file failed.
 */
export async function ingestCommand(
  ctx: CommandContext,
  dataset: string,
  files: string[],
  flags: IngestFlags,
): Promise<number> {
  if (!isDatasetName(dataset)) throw new UsageError(`dataset must be one of ${DATASET_NAMES.join(', ')}`);
  if (!(INGEST_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format must be one of ${INGEST_FORMATS.join(', ')}`);
  }
  const unreadable = (
    await Promise.all(
      files.map((f) =>
        assertInputFile(f).then(
          () => '',
          (err: Error) => err.message,
        ),
      ),
    )
  ).filter(Boolean);
  if (unreadable.length) throw new UsageError(`nothing ingested:\n  ${unreadable.join('\n  ')}`);
  const session = await LakeSession.open(ctx.lake);
  const results = [];
  const failed: { file: string; error: string }[] = [];
  try {
    for (const file of files) {
      let r: Awaited<ReturnType<typeof ingestFile>>;
      try {
        r = await ingestFile(session, dataset, file, flags);
      } catch (err) {
        // Usage errors (bad --map, wrong format for the dataset) apply to every file: stop.
        if (err instanceof MarketlakeError && err.code === 'USAGE') throw err;
        const error = err instanceof Error ? err.message : String(err);
        const code = err instanceof MarketlakeError ? err.code : undefined;
        ctx.logger.error({ file, code, error }, 'file failed');
        failed.push({ file, error });
        if (!ctx.config.json)
          out(`${file}: FAILED: ${error.startsWith(`${file}: `) ? error.slice(file.length + 2) : error}`);
        continue;
      }
      ctx.logger.info({ file, ...r }, 'file ingested');
      results.push({ file, ...r });
      if (!ctx.config.json) {
        const note = r.duplicateBatch
          ? ' (duplicate batch: already ingested, nothing written; --force re-ingests)'
          : '';
        const skipped = r.skipped > 0 ? `, skipped ${r.skipped}` : '';
        out(
          `${file}: read ${r.read}, accepted ${r.accepted}, quarantined ${r.quarantined}${skipped}, duplicate ${r.duplicateBatch ? 1 : 0}${note}`,
        );
        const reasons = skipReasonsLine(r.skippedReasons);
        if (reasons) out(reasons);
        if (r.unmapped)
          out(
            `  the file has no column for ${r.unmapped.join(', ')} (required): map with --map ${r.unmapped[0]}=<column> or ${r.unmapped[0]}='<constant>'`,
          );
      }
    }
  } finally {
    session.close();
  }
  if (ctx.config.json) out(JSON.stringify(failed.length ? { results, failed } : results, null, 2));
  else if (failed.length) {
    const others = files.length - failed.length;
    out(
      `${failed.length} of ${files.length} files failed${others ? `; the other ${others} were ingested` : ''}`,
    );
  }
  return failed.length ? 1 : 0;
}
