import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { DATASETS, describeIssues } from '../contracts/index.js';
import { UsageError } from '../layers/index.js';
import { convertCell, unmappedRequiredFields } from './sources/map-record.js';
import type { ColumnMapping, FieldSource } from './sources/mapping.js';

/**
 * A `--map` column may name alternatives, `industry=GICS Sub-Industry|GICS Sub Industry`: header
 * drift between snapshots of one source (a renamed or re-punctuated column) is one mapping, not a
 * command per year. The first alternative the file's header has wins; an exact name that holds a
 * `|` is taken as it is. Without a match the first alternative stays (and the check below says so).
 */
export function resolveAlternatives(mapping: ColumnMapping, names: readonly string[]): ColumnMapping {
  const fields: Record<string, FieldSource> = {};
  for (const [field, src] of Object.entries(mapping.fields)) {
    if (!('column' in src) || !src.column.includes('|') || names.includes(src.column)) {
      fields[field] = src;
      continue;
    }
    const options = src.column.split('|').map((s) => s.trim());
    fields[field] = { column: options.find((o) => names.includes(o)) ?? options[0] ?? src.column };
  }
  return { ...mapping, fields };
}

function fieldSchema(mapping: ColumnMapping, field: string): z.ZodType | undefined {
  const schema = DATASETS[mapping.dataset].schema as unknown as {
    shape?: Record<string, z.ZodType>;
    def?: { shape?: Record<string, z.ZodType> };
  };
  return (schema.shape ?? schema.def?.shape)?.[field];
}

/**
 * Mistakes that would refuse every record of a file, found before anything is read or written: a
 * required field with no column in the file (`names`: its header, or column1..N; undefined when
 * the layout has no fixed columns, as JSON Lines), or a constant that breaks its field's rule
 * (`symbol='BRK_B'`). A UsageError (exit 2): the file is not recorded as ingested, so the corrected
 * command goes through without --force.
 */
export function assertMappingFits(
  mapping: ColumnMapping,
  names: readonly string[] | undefined,
  file: string,
): void {
  const problems: string[] = [];
  if (names) {
    for (const field of unmappedRequiredFields(mapping, names)) {
      const src = mapping.fields[field];
      const from = !src
        ? 'is not mapped'
        : 'position' in src
          ? `maps to column ${src.position}, but the file has ${names.length}`
          : 'column' in src
            ? `maps to column "${src.column}", which the file does not have`
            : 'has no source';
      problems.push(`required field ${field} ${from}`);
    }
  }
  for (const [field, src] of Object.entries(mapping.fields)) {
    if (!('constant' in src)) continue;
    const schema = fieldSchema(mapping, field);
    const value = convertCell(mapping, field, src.constant);
    const parsed = schema?.safeParse(value === undefined ? null : value);
    if (parsed && !parsed.success)
      problems.push(`constant ${field}='${src.constant}': ${describeIssues(parsed.error)}`);
  }
  if (problems.length === 0) return;
  const columns = names
    ? ` (its columns: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''})`
    : '';
  throw new UsageError(
    `${file}: the mapping would refuse every record${columns}: ${problems.join('; ')}; nothing was written`,
  );
}

/**
 * How a file was read, as text: the format, the resolved mapping and the contract version. Part of
 * a batch's identity (batchHash), so the same file read with a corrected mapping is a new batch.
 */
export function readIdentityOf(format: string, mapping: ColumnMapping): string {
  const sorted = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const fields = sorted(Object.fromEntries(Object.entries(mapping.fields).map(([k, v]) => [k, sorted(v)])));
  return JSON.stringify({
    contract: DATASETS[mapping.dataset].contractVersion,
    format,
    mapping: sorted({ ...mapping, fields }),
  });
}

/** The batch key of a file: sha256 of its content hash and how it was read. */
export function batchHash(contentHash: string, readIdentity: string | undefined): string {
  if (!readIdentity) return contentHash;
  return createHash('sha256').update(contentHash).update('\n').update(readIdentity).digest('hex');
}

/** A vendor adapter's read identity: its format, `--map` constants and `--symbol`, and the contract. */
export function vendorReadIdentityOf(
  dataset: ColumnMapping['dataset'],
  format: string,
  constants: Readonly<Record<string, string>>,
  symbol: string | undefined,
): string {
  const sortedConstants = Object.fromEntries(
    Object.entries(constants).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return JSON.stringify({
    contract: DATASETS[dataset].contractVersion,
    format,
    constants: sortedConstants,
    symbol: symbol ?? null,
  });
}

/** Vendor `--map` constants checked against their fields' rules before the file is read (exit 2). */
export function assertConstantsFit(
  dataset: ColumnMapping['dataset'],
  constants: Readonly<Record<string, string>>,
  file: string,
): void {
  const fields: Record<string, FieldSource> = {};
  for (const [field, value] of Object.entries(constants)) fields[field] = { constant: value };
  assertMappingFits(
    {
      dataset,
      layout: 'jsonl',
      header: true,
      delimiter: ',',
      fields,
      timeUnit: 'iso',
      timeZone: 'UTC',
      priceScale: 1,
    },
    undefined,
    file,
  );
}
