import { readFile } from 'node:fs/promises';
import { DATASET_NAMES, isDatasetName } from '../../contracts/index.js';
import { LakeSession, UsageError } from '../../layers/index.js';
import {
  type ColumnMapping,
  documentFormatOf,
  formatMapping,
  INGEST_FORMATS,
  type IngestEngine,
  type IngestFormat,
  ingestMappedFile,
  ingestVendorFile,
  parseFieldMap,
  readFirstLine,
  TIME_UNITS,
  type TimeUnit,
} from '../../pipelines/index.js';
import { type CommandContext, out } from '../context.js';

export interface IngestFlags {
  format: string;
  force?: boolean;
  map?: string;
  mapFile?: string;
  header?: boolean;
  delimiter?: string;
  timeUnit?: string;
  timeZone?: string;
  priceScale?: string;
  symbol?: string;
  engine?: string;
}

async function mappingFor(
  dataset: ColumnMapping['dataset'],
  file: string,
  flags: IngestFlags,
): Promise<ColumnMapping> {
  const format = flags.format as IngestFormat;
  const firstLine = await readFirstLine(file);
  const base = formatMapping(format, {
    dataset,
    file,
    firstLine,
    ...(flags.symbol ? { symbol: flags.symbol } : {}),
  });
  const header = flags.header === false ? false : base.header;
  const mapText = await mapTextOf(flags);
  if (flags.timeUnit && !(TIME_UNITS as readonly string[]).includes(flags.timeUnit))
    throw new UsageError(`--time-unit must be one of ${TIME_UNITS.join(', ')}`);
  const scale = flags.priceScale === undefined ? base.priceScale : Number(flags.priceScale);
  if (!Number.isFinite(scale) || scale <= 0) throw new UsageError('--price-scale must be a positive number');
  return {
    ...base,
    header,
    delimiter: flags.delimiter === '\\t' ? '\t' : (flags.delimiter ?? base.delimiter),
    fields: {
      ...base.fields,
      ...(flags.symbol ? { symbol: { constant: flags.symbol } } : {}),
      ...(mapText ? parseFieldMap(dataset, mapText, header) : {}),
    },
    timeUnit: (flags.timeUnit as TimeUnit | undefined) ?? base.timeUnit,
    timeZone: flags.timeZone ?? base.timeZone,
    priceScale: scale,
  };
}

async function mapTextOf(flags: IngestFlags): Promise<string> {
  return [
    flags.mapFile ? (await readFile(flags.mapFile, 'utf8')).replace(/\s*\n\s*/g, ',') : '',
    flags.map ?? '',
  ]
    .filter(Boolean)
    .join(',');
}

/** Vendor adapters take only constants from `--map` (`interval='1d'`, `created_at='...'`). */
async function constantsOf(
  dataset: ColumnMapping['dataset'],
  flags: IngestFlags,
): Promise<Record<string, string>> {
  const text = await mapTextOf(flags);
  const out: Record<string, string> = {};
  for (const [field, src] of Object.entries(text ? parseFieldMap(dataset, text, true) : {})) {
    if (!('constant' in src))
      throw new UsageError(`--map ${field}: vendor formats take constants only (field='value')`);
    out[field] = src.constant;
  }
  return out;
}

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
  const engine = (flags.engine ?? 'auto') as IngestEngine;
  if (!['auto', 'sql', 'js'].includes(engine)) throw new UsageError('--engine must be auto, sql or js');
  const session = await LakeSession.open(ctx.lake);
  const results = [];
  try {
    for (const file of files) {
      const vendor = documentFormatOf(flags.format as IngestFormat, file);
      const r = vendor
        ? await ingestVendorFile(session, file, {
            format: vendor,
            dataset,
            constants: await constantsOf(dataset, flags),
            ...(flags.symbol ? { symbol: flags.symbol } : {}),
            ...(flags.force ? { force: true } : {}),
          })
        : await ingestMappedFile(session, file, {
            mapping: await mappingFor(dataset, file, flags),
            engine,
            ...(flags.force ? { force: true } : {}),
          });
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
