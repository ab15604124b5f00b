import { DATASET_NAMES, isDatasetName } from '../../contracts/index.js';
import { LakeSession, UsageError } from '../../layers/index.js';
import { INGEST_FORMATS, type IngestFlags, ingestFile } from '../../pipelines/index.js';
import { type CommandContext, out } from '../context.js';

export type { IngestFlags } from '../../pipelines/index.js';

/** Files to bronze: one batch per file, counts printed and logged per file. */
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
  const session = await LakeSession.open(ctx.lake);
  const results = [];
  try {
    for (const file of files) {
      const r = await ingestFile(session, dataset, file, flags);
      ctx.logger.info({ file, ...r }, 'file ingested');
      results.push({ file, ...r });
      if (!ctx.config.json) {
        const note = r.duplicateBatch
          ? ' (duplicate batch: already ingested, nothing written; --force re-ingests)'
          : '';
        out(
          `${file}: read ${r.read}, accepted ${r.accepted}, quarantined ${r.quarantined}, duplicate ${r.duplicateBatch ? 1 : 0}${note}`,
        );
      }
    }
  } finally {
    session.close();
  }
  if (ctx.config.json) out(JSON.stringify(results, null, 2));
  return 0;
}
