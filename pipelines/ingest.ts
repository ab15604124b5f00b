import { readFile, stat } from 'node:fs/promises';
import type { DatasetName } from '../contracts/index.js';
import { InputError, type LakeSession, MarketlakeError, StorageError, UsageError } from '../layers/index.js';
import { firstRecordKeys } from './bronze/bulk-sql.js';
import { readFirstLine } from './bronze/file-scan.js';
import { type IngestEngine, type IngestFileResult, ingestMappedFile } from './bronze/ingest-file.js';
import { ingestVendorFile } from './bronze/ingest-vendor.js';
import {
  assertConstantsFit,
  assertMappingFits,
  readIdentityOf,
  resolveAlternatives,
  vendorReadIdentityOf,
} from './mapping-check.js';
import { headerNames } from './sources/csv-records.js';
import { ingestDailyBarFile, ingestFactorFile } from './sources/factor-file.source.js';
import { documentFormatOf, formatMapping, INGEST_FORMATS, type IngestFormat } from './sources/formats.js';
import { columnNames } from './sources/map-record.js';
import { type ColumnMapping, parseFieldMap, TIME_UNITS, type TimeUnit } from './sources/mapping.js';

/** How to read a file: `--format` and the mapping flags of `marketlake ingest`. */
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
  listSeparator?: string;
  symbol?: string;
  engine?: string;
  /** symbol_refs: `full` (the file lists every symbol of its source; absent ones close) or `changes`. */
  snapshot?: string;
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
      ...(flags.snapshot ? { snapshot: { constant: snapshotOf(dataset, flags.snapshot) } } : {}),
    },
    timeUnit: (flags.timeUnit as TimeUnit | undefined) ?? base.timeUnit,
    timeZone: flags.timeZone ?? base.timeZone,
    priceScale: scale,
    ...((flags.listSeparator ?? base.listSeparator)
      ? { listSeparator: flags.listSeparator ?? base.listSeparator }
      : {}),
  };
}

/** `--snapshot full|changes`: how a symbol reference file describes its source (symbol_ref.v2 `snapshot`). */
function snapshotOf(dataset: ColumnMapping['dataset'], snapshot: string): string {
  if (dataset !== 'symbol_refs') throw new UsageError('--snapshot applies to symbol_refs only');
  if (snapshot !== 'full' && snapshot !== 'changes')
    throw new UsageError('--snapshot must be full or changes');
  return snapshot;
}

/**
 * The columns a mapped file has, for the up-front mapping check: a CSV's header (or column1..N),
 * a Parquet file's columns; undefined for JSON Lines (records may differ in keys) and empty files.
 */
async function fileColumns(
  session: LakeSession,
  file: string,
  mapping: ColumnMapping,
): Promise<string[] | undefined> {
  if (mapping.layout === 'parquet') return firstRecordKeys(session, file, mapping);
  if (mapping.layout !== 'csv') return undefined;
  const firstLine = await readFirstLine(file);
  if (firstLine === '') return undefined;
  const header = headerNames(firstLine, mapping.delimiter);
  return columnNames(mapping.header ? header : null, header.length);
}

/**
 * The mapping a file is read with, checked against the file before anything is written (column
 * alternatives resolved; a mapping that would refuse every record is a UsageError), and its read
 * identity (part of the batch key).
 */
async function checkedMapping(
  session: LakeSession,
  dataset: DatasetName,
  file: string,
  flags: IngestFlags,
): Promise<{ mapping: ColumnMapping; readIdentity: string }> {
  const given = await mappingFor(dataset, file, flags);
  const names = await fileColumns(session, file, given);
  const mapping = names ? resolveAlternatives(given, names) : given;
  assertMappingFits(mapping, names, file);
  return { mapping, readIdentity: readIdentityOf(flags.format, mapping) };
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

const vendorOnly = (format: string) => format === 'algoseek-factors' || format === 'algoseek-daily';

/** A vendor file's `--map` constants, checked against their rules, and its read identity. */
async function checkedConstants(
  dataset: DatasetName,
  file: string,
  flags: IngestFlags,
): Promise<{ constants: Record<string, string>; readIdentity: string }> {
  const constants = await constantsOf(dataset, flags);
  assertConstantsFit(dataset, constants, file);
  return { constants, readIdentity: vendorReadIdentityOf(dataset, flags.format, constants, flags.symbol) };
}

/** Refuse, before anything is read, a path that is not a readable regular file. */
export async function assertInputFile(file: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      `${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(err)})`}`,
      {
        cause: err,
      },
    );
  }
  if (!info.isFile()) throw new InputError(`${file}: not a regular file`);
  const packed = /\.(zst|zstd|bz2|xz|lz4|br|zip|7z|tar)$/i.exec(file);
  if (packed) {
    // Read as text these would be refused byte by byte: say so once instead.
    throw new InputError(
      `${file}: .${packed[1]} files are not read; decompress it first (gzip .gz is read directly)`,
    );
  }
}

/** A whole-file read failure (corrupt or truncated gzip, I/O) as an InputError naming the file. */
function asInputError(file: string, err: unknown): unknown {
  if (err instanceof MarketlakeError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (code.startsWith('Z_') || /gzip|zlib|unexpected end of file|incorrect header check/i.test(message)) {
    return new InputError(
      `${file}: compressed data is truncated or corrupt (${message}); nothing from this file was written`,
      { cause: err },
    );
  }
  if (code === 'ENOSPC' || /No space left on device/i.test(message)) {
    // DuckDB says "Could not write file <path>: No space left on device"; Node says ENOSPC.
    const where = /Could not write file "([^"]+)"/.exec(message)?.[1];
    return new StorageError(
      `${file}: no space left on device (ENOSPC)${where ? ` writing ${where}` : ''}; nothing from this file was committed (free space and rerun)`,
      { cause: err, permanent: true },
    );
  }
  if (code === 'EISDIR' || code === 'ENOENT' || code === 'EACCES') {
    return new InputError(`${file}: cannot be read (${message})`, { cause: err });
  }
  return err;
}

/**
 * Ingest one file into `bronze.<dataset>` (and quarantine), in any supported format: vendor
 * documents through their adapter, everything else through the column mapping (SQL fast path or
 * per record). The one entry point for the CLI, backfills and scheduled sources. A file that
 * cannot be read as a whole fails with an InputError and leaves the lake as it was.
 */
export async function ingestFile(
  session: LakeSession,
  dataset: DatasetName,
  file: string,
  flags: IngestFlags,
): Promise<IngestFileResult> {
  await assertInputFile(file);
  try {
    return await ingestReadableFile(session, dataset, file, flags);
  } catch (err) {
    throw asInputError(file, err);
  }
}

async function ingestReadableFile(
  session: LakeSession,
  dataset: DatasetName,
  file: string,
  flags: IngestFlags,
): Promise<IngestFileResult> {
  if (!(INGEST_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format must be one of ${INGEST_FORMATS.join(', ')}`);
  }
  const engine = (flags.engine ?? 'auto') as IngestEngine;
  if (!['auto', 'sql', 'js'].includes(engine)) throw new UsageError('--engine must be auto, sql or js');
  if (flags.snapshot && (vendorOnly(flags.format) || documentFormatOf(flags.format as IngestFormat, file)))
    throw new UsageError(
      `--snapshot applies to symbol_refs read through a column mapping, not --format ${flags.format}`,
    );
  if (flags.format === 'algoseek-factors' || flags.format === 'algoseek-daily') {
    // Compact YYYYMMDD dates and deci-cent prices: a small adapter rather than a mapping preset.
    const wanted = flags.format === 'algoseek-factors' ? 'corporate_actions' : 'bars';
    if (dataset !== wanted) throw new UsageError(`--format ${flags.format} loads ${wanted}, not ${dataset}`);
    const options = {
      ...(flags.symbol ? { symbol: flags.symbol } : {}),
      ...(flags.force ? { force: true } : {}),
    };
    const r =
      flags.format === 'algoseek-factors'
        ? await ingestFactorFile(session, file, options)
        : await ingestDailyBarFile(session, file, options);
    return { ...r, engine: 'js' };
  }
  const vendor = documentFormatOf(flags.format as IngestFormat, file);
  return vendor
    ? ingestVendorFile(session, file, {
        format: vendor,
        dataset,
        ...(await checkedConstants(dataset, file, flags)),
        ...(flags.symbol ? { symbol: flags.symbol } : {}),
        ...(flags.force ? { force: true } : {}),
      })
    : ingestMappedFile(session, file, {
        ...(await checkedMapping(session, dataset, file, flags)),
        engine,
        ...(flags.force ? { force: true } : {}),
      });
}
