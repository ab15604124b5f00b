import { contractSql, DATASETS } from '../../contracts/index.js';
import { ident, type LakeSession, literal } from '../../layers/index.js';
import { MAX_LINE_BYTES } from '../sources/jsonl-source.js';
import { delimitedInputStages, mapInputStages, unmappedJsonKeys } from '../sources/map-sql.js';
import type { ColumnMapping } from '../sources/mapping.js';
import { readFirstLine } from './file-scan.js';

/** Longest line (bytes) the small-buffer line reader takes. */
const SMALL_BUFFER_LINE = 2 << 20;

/**
 * Line reader: every line of the file as one VARCHAR column (a blank line comes back as NULL).
 * \x1f never occurs in files the scan calls line-safe. `skip` drops a header line.
 */
function linesSql(file: string, skip: number, longLines: boolean): string {
  // DuckDB reads a file in buffers of at least max_line_size, one thread per buffer: 64 MiB
  // buffers would put most files on one thread, so the staging scan first tries 8 MiB buffers.
  const size = longLines
    ? 'max_line_size = 67108864'
    : `max_line_size = ${SMALL_BUFFER_LINE}, buffer_size = 8388608`;
  return `read_csv(${literal(file)}, columns = {'line': 'VARCHAR'}, delim = E'\\x1f', quote = '', escape = '', header = false, auto_detect = false, strict_mode = false, ${size}, skip = ${skip})`;
}

/**
 * The quarantine rows of a line-based or Parquet file, with their line numbers, from `refused`:
 * a query yielding the refused records' `raw`, `reason`, `contract_version` and `source_line`
 * (NULL for line files). Numbering lines (WITH ORDINALITY) pins a scan to one thread, so the
 * validating pass does without and this pass, run only when a batch has refused records, finds
 * them again: a record's reason is a function of its line's text alone, so every line equal to
 * a refused one is refused with the same reason.
 */
export function quarantineRowsSql(
  file: string,
  mapping: ColumnMapping,
  refused: string,
  longestLine: number,
): string {
  const first = mapping.layout === 'csv' && mapping.header ? 2 : 1;
  if (mapping.layout === 'parquet')
    return `SELECT raw, reason, contract_version, source_line FROM (${refused})`;
  const bad = `(SELECT DISTINCT raw, reason, contract_version FROM (${refused}))`;
  return [
    // 64 MiB buffers cost about 0.9 GB of memory: only when a refused line needs them.
    `WITH l AS MATERIALIZED (SELECT ordinality AS n, line FROM ${linesSql(file, 0, longestLine > SMALL_BUFFER_LINE)} WITH ORDINALITY WHERE line IN (SELECT raw FROM ${bad}))`,
    `SELECT CASE WHEN length(b.raw) > ${MAX_LINE_BYTES} THEN left(b.raw, 256) ELSE b.raw END AS raw, b.reason, b.contract_version, l.n AS source_line`,
    `FROM l JOIN ${bad} AS b ON l.line = b.raw WHERE l.n >= ${first}`,
  ].join(' ');
}

/**
 * The key list of a JSON file's first record (a Parquet file's columns): the usual key order
 * (a hint for mapInputStages) and what the file offers a mapping. Undefined when unreadable.
 */
export async function firstRecordKeys(
  session: LakeSession,
  file: string,
  mapping: ColumnMapping,
): Promise<string[] | undefined> {
  if (mapping.layout === 'parquet') {
    const columns = await session.describe(`SELECT * FROM read_parquet(${literal(file)})`);
    return columns.map((c) => c.name);
  }
  try {
    const first: unknown = JSON.parse(await readFirstLine(file));
    return first !== null && typeof first === 'object' && !Array.isArray(first)
      ? Object.keys(first)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What DuckDB's JSON parser (yyjson) takes and JSON.parse refuses: a comma before a closing
 * bracket, and NaN/Infinity literals in any case. A cheap test picks the few lines that could
 * hold either; for those, string contents are blanked out (a string may hold ",}" or ":nan,")
 * before the exact pattern runs. A trailing comma can hide in a record that is otherwise valid,
 * so every line is tested for one; a NaN cannot (see NAN_JSON).
 */
const STRINGS_BLANKED = `regexp_replace(line, '"(?:[^"\\\\]|\\\\.)*"', '""', 'g')`;
const TRAILING_COMMA_JSON = `(regexp_matches(line, ',[ \\t\\r]*[}\\]]') AND regexp_matches(${STRINGS_BLANKED}, ',[ \\t\\r]*[}\\]]'))`;
/**
 * A NaN/Infinity literal, at the start of the line or as a value. Only tested on lines that are
 * refused already, or not objects, or whose unknown or unmapped keys hold "nan"/"inf"
 * (`non_json`), or whose keys repeat: a literal anywhere else is the value of a mapped key,
 * which fails its rule (not a number, not finite, not text, not a list of text).
 */
const NAN_JSON = `((contains(lower(line), 'nan') OR contains(lower(line), 'inf')) AND regexp_matches(${STRINGS_BLANKED}, '(?i)(?:^|[:,\\[])[ \\t\\r]*[-+]?(?:nan|inf)'))`;

/**
 * Rows of a Parquet file as JSON object text, numbered from 1, so they take the JSON path:
 * timestamps become RFC 3339 text (TIMESTAMPTZ in UTC; naive TIMESTAMP read as UTC unless the
 * mapping names another zone, then left naive for it to convert).
 */
async function parquetRowsSql(session: LakeSession, file: string, zone: string): Promise<string> {
  const from = `read_parquet(${literal(file)}, file_row_number = true)`;
  const columns = (await session.describe(`SELECT * FROM ${from}`)).filter(
    (c) => c.name !== 'file_row_number',
  );
  const fields = columns.map((c) => {
    const col = ident(c.name);
    let expr = col;
    if (c.type === 'TIMESTAMP WITH TIME ZONE')
      expr = `strftime(timezone('UTC', ${col}), '%Y-%m-%dT%H:%M:%S.%fZ')`;
    else if (c.type.startsWith('TIMESTAMP'))
      expr = `strftime(${col}::TIMESTAMP, ${zone === 'UTC' ? `'%Y-%m-%dT%H:%M:%S.%fZ'` : `'%Y-%m-%d %H:%M:%S.%f'`})`;
    return `${literal(c.name)}: ${expr}`;
  });
  return `SELECT file_row_number + 1 AS source_line, to_json({${fields.join(', ')}})::VARCHAR AS line FROM ${from}`;
}

export interface ValidatedRowsOptions {
  file: string;
  mapping: ColumnMapping;
  /** Delimited files: column names (header, or column1..N) and the field count every row must have. */
  names?: readonly string[];
  /** Lines up to 64 MiB (slower: larger buffers keep the scan on fewer threads); see linesSql. */
  longLines?: boolean;
  /**
   * A CSV with quoted fields, read by DuckDB's CSV reader in strict mode (RFC 4180 quoting,
   * fields that span lines). Any row it cannot read fails the query; records carry no raw text
   * or line, so a caller uses this only to accept a file whose every record is valid.
   */
  quoted?: boolean;
  /**
   * DuckDB's own reader of the layout instead of the line reader: JSON Lines through read_json
   * (each record a `MAP(VARCHAR, JSON)`), delimited files through read_csv with one VARCHAR
   * column per field. About twice as fast, but with no line text and no line numbers, so the
   * query fails at the first record it would refuse (or could read otherwise than the line
   * reader): the caller uses it only to accept a whole file.
   */
  strict?: boolean;
}

/** The message of the error that stops a strict pass (see ValidatedRowsOptions.strict). */
export const STRICT_REFUSED = 'marketlake: a record needs the line reader';

/**
 * Lines of a CSV where DuckDB's reader and csv-parse (the per-record engine) could read a
 * quoted field differently: DuckDB drops blanks between a quote and the delimiter (`"ab" ,`,
 * `, "ab"`), csv-parse keeps them. A count query over the file's lines; 0 means the quoted
 * reader gives csv-parse's cells.
 */
export function quotedCsvDoubtsSql(file: string, mapping: ColumnMapping): string {
  const d = mapping.delimiter.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
  const pattern = `"[ \\t]+(${d}|$)|(^|${d})[ \\t]+"`;
  // A blank beside a quote: cheap substring tests first, the pattern for those lines only.
  const beside = [`'" '`, `' "'`, `E'"\\t'`, `E'\\t"'`].map((b) => `contains(line, ${b})`).join(' OR ');
  return `SELECT count(*)::BIGINT AS n FROM ${linesSql(file, 0, false)} WHERE (${beside}) AND regexp_matches(line, ${literal(pattern)})`;
}

/**
 * Every row of a delimited file as columns c1..cN (VARCHAR), read by DuckDB's CSV reader in
 * strict mode: a row with another field count fails the query. `quoted`: RFC 4180 quoting
 * (fields that span lines); otherwise a quote is a plain character, as for the line reader.
 */
function csvColumnsSql(
  file: string,
  mapping: ColumnMapping,
  names: readonly string[],
  quoted: boolean,
): string {
  const columns = `{${names.map((_, i) => `${literal(`c${i + 1}`)}: 'VARCHAR'`).join(', ')}}`;
  const quoting = quoted ? `quote = '"', escape = '"'` : `quote = '', escape = ''`;
  const reader = `read_csv(${literal(file)}, columns = ${columns}, header = ${mapping.header}, delim = ${literal(mapping.delimiter)}, ${quoting}, auto_detect = false, strict_mode = true, null_padding = false, max_line_size = ${SMALL_BUFFER_LINE})`;
  return `SELECT NULL::BIGINT AS source_line, NULL::VARCHAR AS line, * FROM ${reader}`;
}

/**
 * The bulk path: one DuckDB query reads every record of the file (in parallel), extracts each
 * mapped value once (a JSON record as one `MAP(VARCHAR, JSON)`; CSV cells by splitting or by
 * read_csv, no JSON at all), runs the contract's rules as SQL over those plain columns
 * (generated from the same rules as the zod schemas) and
 * yields one row per record: `source_line` (Parquet input only; line files are numbered later,
 * see quarantineRowsSql), `raw` (the text of a refused record), `reason` (NULL when valid),
 * `contract_version`, then the typed contract columns.
 */
export async function validatedRowsSql(session: LakeSession, options: ValidatedRowsOptions): Promise<string> {
  const { mapping } = options;
  // A pass that accepts whole files only checks text patterns per distinct value after writing
  // (see stageStrict), and leaves U+0000 to the file scan (FileScan.mayHoldNul).
  const wholeFile = options.strict === true || options.quoted === true;
  const contract = contractSql(mapping.dataset, { patternsPerValue: wholeFile, withoutNul: wholeFile });
  // length() counts characters, strlen() bytes (never fewer): the cheap test first.
  const tooLong = `(strlen(line) > ${MAX_LINE_BYTES} AND length(line) > ${MAX_LINE_BYTES})`;
  const tooLongReason = `'line longer than ${MAX_LINE_BYTES} bytes'`;
  const version = literal(DATASETS[mapping.dataset].contractVersion);
  // Blank lines come back as NULL; a line of only spaces/tabs is blank too. A line whose first
  // byte is above the space (>= '!', bytewise) is not blank: the trim runs only for the others.
  const notBlank = `line IS NOT NULL AND (line >= '!' OR trim(line, E' \\t') <> '')`;
  const source =
    mapping.layout === 'parquet'
      ? await parquetRowsSql(session, options.file, mapping.timeZone)
      : `SELECT NULL::BIGINT AS source_line, line FROM ${linesSql(options.file, mapping.layout === 'csv' && mapping.header ? 1 : 0, options.longLines ?? false)}`;
  const stages: string[] = [`src AS (${source})`];
  const strictJson = mapping.layout === 'jsonl' && options.strict === true;
  let inputs: string[];
  if (mapping.layout !== 'csv') {
    // Every JSON record becomes a MAP(VARCHAR, JSON): read_json in the strict pass, one
    // from_json per line otherwise (NULL for a line that is not a JSON object).
    const keyOrder = await firstRecordKeys(session, options.file, mapping);
    if (strictJson) {
      const reader = `read_json(${literal(options.file)}, format = 'newline_delimited', records = false, columns = {'m': 'MAP(VARCHAR, JSON)'})`;
      stages[0] = `src AS (SELECT NULL::BIGINT AS source_line, NULL::VARCHAR AS line, m FROM ${reader})`;
      stages.push(
        `ext AS (SELECT *, CASE WHEN m IS NULL THEN '(record): expected a JSON object' END AS parse_error FROM src)`,
      );
    } else {
      // try() gives NULL for a whole vector's rows one by one once any row fails, and that
      // slower path refuses a map whose keys repeat: such rows are parsed again, guarded.
      const map = `'"MAP(VARCHAR, JSON)"'`;
      const object = `NOT ${tooLong} AND json_valid(line) AND json_type(line) = 'OBJECT'`;
      // A line that is not an object is refused after the NaN test (see the final reason).
      const parseError = [
        `WHEN ${tooLong} THEN ${tooLongReason}`,
        `WHEN m IS NULL AND NOT json_valid(line) THEN 'malformed JSON'`,
        `WHEN ${TRAILING_COMMA_JSON} THEN 'malformed JSON'`,
      ].join(' ');
      stages.push(
        `typ AS (SELECT source_line, line, try(from_json(CASE WHEN NOT ${tooLong} THEN line END, ${map})) AS m0 FROM src WHERE ${notBlank})`,
        `obj AS (SELECT source_line, line, CASE WHEN m0 IS NULL AND ${object} THEN from_json(line, ${map}) ELSE m0 END AS m FROM typ)`,
        `ext AS (SELECT source_line, line, CASE ${parseError} END AS parse_error, m FROM obj)`,
      );
    }
    inputs = mapInputStages(mapping, 'm', keyOrder);
    // yyjson (DuckDB's parser) takes NaN/Infinity in any case, JSON.parse does not. A mapped
    // key's value holding one fails its rule; an unknown or unmapped key's may not: `non_json`
    // marks those records (the strict pass stops, the line reader tests the line, see NAN_JSON).
    const ignored = unmappedJsonKeys(mapping).map((k) => `m[${literal(k)}]::VARCHAR`);
    const nonJson = ['in_extra', ...ignored].map((v) => `regexp_matches(${v}, '(?i)nan|inf')`).join(' OR ');
    // A vendor mapping's guard (ColumnMapping.strictGuard) stops the strict pass like a NaN does.
    const guard = strictJson && mapping.strictGuard ? ` OR NOT coalesce(${mapping.strictGuard}, false)` : '';
    inputs.push(`(coalesce(${nonJson}, false)${guard}) AS non_json`);
  } else if (options.quoted || options.strict) {
    const names = options.names ?? [];
    stages[0] = `src AS (${csvColumnsSql(options.file, mapping, names, options.quoted ?? false)})`;
    stages.push(`ext AS (SELECT *, NULL::VARCHAR AS parse_error FROM src)`);
    // The CSV reader gives NULL for an empty cell, the line reader ''.
    inputs = delimitedInputStages(mapping, names, (i) => `coalesce(${ident(`c${i + 1}`)}, '')`);
  } else {
    const names = options.names ?? [];
    const delim = literal(mapping.delimiter);
    stages.push(
      `spl AS (SELECT source_line, line, string_split(line, ${delim}) AS cells FROM src WHERE ${notBlank})`,
      `ext AS (SELECT *, CASE WHEN ${tooLong} THEN ${tooLongReason} WHEN len(cells) <> ${names.length} THEN 'expected ${names.length} fields, found ' || len(cells) END AS parse_error FROM spl)`,
    );
    inputs = delimitedInputStages(mapping, names, (i) => `cells[${i + 1}]`);
  }
  const oneLine = (s: string) => s.replaceAll('\n', ' ');
  stages.push(
    ...inputs.map(
      (list, i) => `inp${i + 1} AS (SELECT *, ${oneLine(list)} FROM ${i === 0 ? 'ext' : `inp${i}`})`,
    ),
    `inp AS (SELECT * FROM inp${inputs.length})`,
    `val AS (SELECT *, ${oneLine(contract.typedSelect)} FROM inp)`,
    `chk AS (SELECT *, ${oneLine(contract.checkSelect)} FROM val)`,
  );
  if (mapping.layout !== 'csv' && !strictJson) {
    // The NaN test (NAN_JSON) runs only where a NaN could hide: most lines never pay for it.
    stages.push(
      `rsn AS (SELECT *, ${contract.reasonExpr} AS rule_reason FROM chk)`,
      `fin AS (SELECT source_line, line, CASE WHEN parse_error IS NOT NULL THEN parse_error WHEN (m IS NULL OR rule_reason IS NOT NULL OR non_json OR dup) AND ${NAN_JSON} THEN 'malformed JSON' WHEN m IS NULL THEN '(record): expected a JSON object' ELSE rule_reason END AS reason, ${contract.valueSelect} FROM rsn)`,
    );
  } else {
    stages.push(
      `fin AS (SELECT source_line, line, coalesce(parse_error, ${contract.reasonExpr}) AS reason, ${contract.valueSelect}${strictJson ? ', non_json' : ''} FROM chk)`,
    );
  }
  const raw = options.strict
    ? `CASE WHEN reason IS NOT NULL${strictJson ? ' OR non_json' : ''} THEN error(${literal(STRICT_REFUSED)}) END`
    : `CASE WHEN reason IS NULL THEN NULL WHEN source_line IS NOT NULL AND ${tooLong} THEN left(line, 256) ELSE line END`;
  return [
    `WITH ${stages.join(',\n')}`,
    `SELECT source_line, ${raw} AS raw, reason, ${version} AS contract_version, * EXCLUDE (source_line, line, reason${strictJson ? ', non_json' : ''}) FROM fin`,
  ].join('\n');
}
