import { DATASET_NAMES, isDatasetName } from '../../contracts/index.js';
import { LakeSession, NotImplementedError, UsageError } from '../../layers/index.js';
import { readJsonLines, writeBronzeBatch } from '../../pipelines/index.js';
import { type CommandContext, out } from '../context.js';

export const INGEST_FORMATS_BUILT = ['jsonl'] as const;

/** Files to bronze: one batch per file, counts printed per file. */
export async function ingestCommand(
  ctx: CommandContext,
  dataset: string,
  files: string[],
  flags: { format: string; force?: boolean },
): Promise<number> {
  if (!isDatasetName(dataset)) throw new UsageError(`dataset must be one of ${DATASET_NAMES.join(', ')}`);
  if (!(INGEST_FORMATS_BUILT as readonly string[]).includes(flags.format)) {
    throw new NotImplementedError(
      `--format ${flags.format}`,
      'issue #4; built so far: jsonl in contract shape',
    );
  }
  const session = await LakeSession.open(ctx.lake);
  const results = [];
  try {
    for (const file of files) {
      const r = await writeBronzeBatch(session, dataset, readJsonLines(file), {
        source: file,
        ...(flags.force ? { force: true } : {}),
      });
      ctx.logger.info({ file, ...r }, 'file ingested');
      results.push({ file, ...r });
      if (!ctx.config.json) {
        const note = r.duplicateBatch
          ? ' (duplicate batch: already ingested, nothing written; --force re-ingests)'
          : '';
        out(`${file}: read ${r.read}, accepted ${r.accepted}, quarantined ${r.quarantined}${note}`);
      }
    }
  } finally {
    session.close();
  }
  if (ctx.config.json) out(JSON.stringify(results, null, 2));
  return 0;
}
