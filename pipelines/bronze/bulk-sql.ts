import { contractSql, DATASETS } from '../../contracts/index.js';
import { type LakeSession, literal } from '../../layers/index.js';
import { MAX_LINE_BYTES } from '../sources/jsonl-source.js';
import { delimitedInputsSql, jsonInputsSql } from '../sources/map-sql.js';
import type { ColumnMapping } from '../sources/mapping.js';

/** Line reader: every line of the file as one VARCHAR column (\x1f never occurs in scanned-safe files). */
function linesSql(file: string): string {
  return `read_csv(${literal(file)}, columns = {'line': 'VARCHAR'}, delim = E'\\x1f', quote = '', escape = '', header = false, auto_detect = false, strict_mode = false, max_line_size = 67108864)`;
}

export interface StageOptions {
  file: string;
  mapping: ColumnMapping;
  /** Delimited files: column names (header, or column1..N) and the field count every row must have. */
  names?: readonly string[];
  target: string;
}

/**
 * The bulk fast path: one DuckDB statement reads every line of the file, maps it onto the
 * contract, runs the contract's rules as SQL (generated from the same rules as the zod
 * schemas) and writes one staging Parquet file holding every record: its line, its reason
 * (NULL when valid), the raw text of refused records, and the typed contract columns.
 */
export async function stageWithSql(session: LakeSession, options: StageOptions): Promise<void> {
  const { mapping } = options;
  const contract = contractSql(mapping.dataset);
  const tooLong = `length(line) > ${MAX_LINE_BYTES}`;
  let parseError: string;
  let inputs: string;
  const firstLine = mapping.layout === 'csv' && mapping.header ? 'AND source_line > 1' : '';
  if (mapping.layout === 'jsonl') {
    parseError = `CASE WHEN ${tooLong} THEN 'line longer than ${MAX_LINE_BYTES} bytes' WHEN NOT json_valid(line) OR regexp_matches(line, '[:,\\[]\\s*-?(?:NaN|Infinity|inf|nan)\\s*[,}\\]]') THEN 'malformed JSON' WHEN json_type(line) <> 'OBJECT' THEN '(record): expected a JSON object' END`;
    inputs = jsonInputsSql(mapping, '(CASE WHEN parse_error IS NULL THEN line END)');
  } else {
    const names = options.names ?? [];
    const delim = literal(mapping.delimiter);
    parseError = `CASE WHEN ${tooLong} THEN 'line longer than ${MAX_LINE_BYTES} bytes' WHEN len(string_split(line, ${delim})) <> ${names.length} THEN 'expected ${names.length} fields, found ' || len(string_split(line, ${delim})) END`;
    inputs = delimitedInputsSql(mapping, names, `string_split(line, ${delim})`);
  }
  const version = literal(DATASETS[mapping.dataset].contractVersion);
  const sql = [
    `COPY (WITH src AS (SELECT row_number() OVER () AS source_line, line FROM ${linesSql(options.file)}),`,
    `rec AS (SELECT source_line, line, ${parseError} AS parse_error FROM src WHERE line IS NOT NULL AND trim(line, E' \\t\\r') <> '' ${firstLine}),`,
    `inp AS (SELECT source_line, line, parse_error, ${inputs.replaceAll('\n', ' ')} FROM rec),`,
    `chk AS (SELECT *, ${contract.checkSelect.replaceAll('\n', ' ')} FROM inp),`,
    `fin AS (SELECT source_line, line, coalesce(parse_error, ${contract.reasonExpr}) AS reason, ${contract.valueSelect} FROM chk)`,
    `SELECT source_line, CASE WHEN reason IS NULL THEN NULL WHEN ${tooLong} THEN left(line, 256) ELSE line END AS raw, reason, ${version} AS contract_version, * EXCLUDE (source_line, line, reason) FROM fin`,
    `) TO ${literal(options.target)} (FORMAT parquet, COMPRESSION zstd)`,
  ].join('\n');
  await session.run(sql);
}
