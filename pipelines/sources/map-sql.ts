import { inputColumn, JSON_NUMBER_SOURCE, patternMatchSql, safeIntegerSql } from '../../contracts/index.js';
import { ident, literal } from '../../layers/index.js';
import { columnIndex } from './map-record.js';
import { type ColumnMapping, contractFields, fieldRule, isPriceField } from './mapping.js';
import { INTEGER_SOURCE, MAX_EPOCH_NS, MS_OR_US_THRESHOLD, NAIVE_SOURCE } from './time-convert.js';

const ISO_FMT = `'%Y-%m-%dT%H:%M:%S.%fZ'`;
const match = (t: string, source: string) => patternMatchSql(t, source);

/**
 * SQL: the instant of naive TIMESTAMP `n` read as wall time in `zone` (a SQL string literal),
 * as zonedToUtc reads it: a wall time that occurs twice (clocks set back) is its first
 * occurrence, one that never occurs (clocks set forward) takes the offset in force before. ICU,
 * behind timezone(), agrees on the second and picks the later occurrence for the first: the
 * earlier candidate, from the offset a day before, wins when it is that wall time too.
 */
function wallTimeSql(zone: string, n: string): string {
  if (zone === literal('UTC')) return `timezone('UTC', ${n})`;
  const x = `timezone(${zone}, ${n})`;
  const dayBefore = `(${x} - INTERVAL 1 DAY)`;
  const earlier = `timezone('UTC', ${n} - (timezone(${zone}, ${dayBefore}) - timezone('UTC', ${dayBefore})))`;
  return `CASE WHEN ${earlier} < ${x} AND timezone(${zone}, ${earlier}) = ${n} THEN ${earlier} ELSE ${x} END`;
}

/** SQL text → RFC 3339 text for a time cell `t` (VARCHAR), mirroring convertTime. */
function timeSql(m: ColumnMapping, t: string): string {
  const zone = literal(m.timeZone);
  if (m.timeUnit === 'iso') {
    // Only a naive time (no offset, so it ends in a digit; an instant ends in Z or an offset
    // and never matches NAIVE) is converted; anything else passes as is, to be judged by the
    // contract. The suffix test spares the regex for the usual `...Z`.
    return `CASE WHEN NOT suffix(${t}, 'Z') AND ${match(t, NAIVE_SOURCE)} THEN strftime(${wallTimeSql(zone, `TRY_CAST(${t} AS TIMESTAMP)`)}, ${ISO_FMT}) ELSE ${t} END`;
  }
  const isInt = match(t, INTEGER_SOURCE);
  if (m.timeUnit === 'ms-of-day') {
    if (!m.date) return t;
    return `CASE WHEN ${isInt} AND ${t}::HUGEINT BETWEEN 0 AND 86399999 THEN strftime(${wallTimeSql(zone, `(${literal(m.date)}::DATE::TIMESTAMP + to_milliseconds(${t}::BIGINT))`)}, ${ISO_FMT}) ELSE ${t} END`;
  }
  const nsPer = { s: '1000000000', ms: '1000000', us: '1000', ns: '1' } as const;
  const factor =
    m.timeUnit === 'ms-or-us'
      ? `(CASE WHEN ${t}::HUGEINT >= ${MS_OR_US_THRESHOLD} THEN 1000 ELSE 1000000 END)`
      : nsPer[m.timeUnit];
  const ns = `(${t}::HUGEINT * ${factor})`;
  return `CASE WHEN ${isInt} AND ${ns} >= 0 AND ${ns} < ${MAX_EPOCH_NS} THEN strftime(make_timestamp((${ns} // 1000)::BIGINT), ${ISO_FMT}) ELSE ${t} END`;
}

const NUMERIC = `('BIGINT', 'UBIGINT', 'DOUBLE')`;

/** One field's extracted inputs (see `inputColumn` in contracts/contract-sql.ts). */
interface FieldExprs {
  t: string;
  s: string;
  n?: string;
  li?: string;
  lt?: string;
}

function select(field: string, x: FieldExprs, kind: string | undefined): string[] {
  const out = [`${x.t} AS ${ident(inputColumn.type(field))}`, `${x.s} AS ${ident(inputColumn.text(field))}`];
  if (kind === 'number') out.push(`${x.n ?? 'NULL::DOUBLE'} AS ${ident(inputColumn.number(field))}`);
  if (kind === 'list') {
    out.push(`${x.li ?? 'NULL::VARCHAR[]'} AS ${ident(inputColumn.items(field))}`);
    out.push(`${x.lt ?? 'NULL::VARCHAR[]'} AS ${ident(inputColumn.itemTypes(field))}`);
  }
  return out;
}

const ABSENT: FieldExprs = { t: 'NULL::VARCHAR', s: 'NULL::VARCHAR' };

/**
 * A text cell `t` (VARCHAR; NULL or '' when absent) → the field's inputs, as convertCell sees
 * it. `t` should be a column or a constant (it is read several times); `blankIsNull` says it
 * is already NULL for an empty cell.
 */
export function cellExprs(m: ColumnMapping, field: string, t: string, blankIsNull = false): FieldExprs {
  const rule = fieldRule(m.dataset, field);
  const c = blankIsNull ? t : `nullif(${t}, '')`;
  const present = (type: string) => `CASE WHEN ${c} IS NULL THEN NULL ELSE ${type} END`;
  switch (rule?.kind) {
    case 'number': {
      const scale = isPriceField(m.dataset, field) && m.priceScale !== 1 ? ` / ${Number(m.priceScale)}` : '';
      return {
        t: `CASE WHEN ${c} IS NULL THEN NULL WHEN ${match(c, JSON_NUMBER_SOURCE)} THEN 'DOUBLE' ELSE 'VARCHAR' END`,
        s: c,
        n: `(TRY_CAST(${c} AS DOUBLE)${scale})`,
      };
    }
    case 'list':
      return {
        t: present(`'ARRAY'`),
        s: c,
        li: `string_split(${c}, ${literal(m.listSeparator ?? ' ')})`,
        lt: 'NULL::VARCHAR[]',
      };
    case 'time':
      return { t: present(`'VARCHAR'`), s: timeSql(m, c) };
    default:
      return { t: present(`'VARCHAR'`), s: c };
  }
}

/**
 * Select lists (applied one after another, see recordInputStages) producing the contract's
 * input columns and `in_extra` from the text cells of a delimited row, `cell(i)` being the
 * SQL of 0-based cell i of a row whose columns are named `names`: the SQL twin of mapCells.
 * No JSON is involved. Each used cell is read once, into `c_<field>` (NULL when empty).
 */
export function delimitedInputStages(
  m: ColumnMapping,
  names: readonly string[],
  cell: (i: number) => string,
): string[] {
  const cells: string[] = [];
  const out: string[] = [];
  const used = new Set<number>();
  const fields = new Set(contractFields(m.dataset));
  for (const field of contractFields(m.dataset)) {
    const src = m.fields[field];
    let x = ABSENT;
    if (src && 'constant' in src) x = cellExprs(m, field, literal(src.constant));
    else if (src) {
      const i = columnIndex(m, field, names);
      if (i !== undefined) {
        used.add(i);
        const c = ident(`c_${field}`);
        cells.push(`nullif(${cell(i)}, '') AS ${c}`);
        x = cellExprs(m, field, c, true);
      }
    }
    out.push(...select(field, x, fieldRule(m.dataset, field)?.kind));
  }
  const extras = names
    .map((name, i) => ({ name, i }))
    .filter(({ name, i }) => !used.has(i) && !fields.has(name))
    .map(({ name, i }) => `${literal(name)}, ${cell(i)}`);
  out.push(
    `${extras.length ? `json_object(${extras.join(', ')})::VARCHAR` : 'NULL::VARCHAR'} AS ${inputColumn.extra}`,
  );
  return [cells, out].filter((list) => list.length > 0).map((list) => list.join(',\n  '));
}

/** Keys of the JSON object that a mapping reads, in contract field order. */
function mappedKeys(m: ColumnMapping): string[] {
  const keys: string[] = [];
  for (const field of contractFields(m.dataset)) {
    const src = m.fields[field];
    if (src && 'column' in src) keys.push(src.column);
  }
  return keys;
}

/**
 * Names of the intermediate columns of one field's JSON value (see recordInputStages): its JSON
 * text, first byte, type name, text, and whether a list is a plain list of strings. Exported
 * for a mapping's strictGuard, which may read them.
 */
export const jsonFieldColumns = {
  json: (f: string) => ident(`x_${f}`),
  first: (f: string) => ident(`a_${f}`),
  type: (f: string) => ident(`tr_${f}`),
  text: (f: string) => ident(`sr_${f}`),
  plain: (f: string) => ident(`p_${f}`),
};

/**
 * Type name and text of a field's JSON value from its columns `x_` (the value as JSON text,
 * SQL NULL when absent or null) and `a_` (its first byte): the first byte decides the type;
 * a string's text is its decoded value (one small parse: cheaper than slicing off the quotes).
 */
function jsonTypeAndText(field: string, nullType: string): { t: string; s: string } {
  const x = jsonFieldColumns.json(field);
  const a = jsonFieldColumns.first(field);
  return {
    // Strings and numbers first: most values are one of them (NaN/Infinity fall to the ELSE too).
    t: `CASE WHEN ${x} IS NULL THEN ${nullType} WHEN ${a} = 34 THEN 'VARCHAR' WHEN ${a} <= 57 AND ${a} >= 45 THEN 'DOUBLE' WHEN ${a} = 91 THEN 'ARRAY' WHEN ${a} = 123 THEN 'OBJECT' WHEN ${a} = 116 OR ${a} = 102 THEN 'BOOLEAN' WHEN ${a} = 110 THEN 'NULL' ELSE 'DOUBLE' END`,
    s: `CASE WHEN ${a} <> 34 THEN ${x} ELSE from_json(${x}, '"VARCHAR"') END`,
  };
}

/** Keys a JSON line may hold without any of them counting as unknown (`extra`). */
export function knownJsonKeys(m: ColumnMapping): string[] {
  return [...new Set([...mappedKeys(m), ...contractFields(m.dataset), ...(m.ignoredKeys ?? [])])];
}

/** Contract field names a JSON record may hold that the mapping reads from no key (known, ignored). */
export function unmappedJsonKeys(m: ColumnMapping): string[] {
  const mapped = new Set(mappedKeys(m));
  return contractFields(m.dataset).filter((k) => !mapped.has(k));
}

/**
 * A JSON record as DuckDB parses it into `MAP(VARCHAR, JSON)` (from_json of a line, or
 * read_json): keys case-sensitive and in file order, repeated keys kept, each value the JSON
 * text from_json gives (SQL NULL for JSON null). The columns of mapRecordStages (added by mapInputStages) go with it:
 * `vals` (the values), `usual` (the keys are exactly the file's usual list: values are then
 * read by position, a lookup by key costs several times more) and `dup` (a key repeats: the
 * last value wins, as in JSON.parse).
 */
interface JsonRecord {
  /** SQL: the JSON text of `key`'s value (SQL NULL when absent or null). */
  value(key: string): string;
  /** SQL: the JSON type of a key whose value is SQL NULL (NULL when absent, 'NULL' for JSON null). */
  nullType(key: string): string;
  /** SQL: the distinct keys, in order of first appearance. */
  keys: string;
  /** SQL: the JSON text of key `k` (a lambda parameter). */
  text(k: string): string;
  usual: string;
}

/** SQL: the value of key `k` (SQL text) in map `m` when keys repeat: the last one. */
const lastValue = (m: string, k: string) =>
  `list_filter(map_entries(${m}), lambda e: e.key = ${k})[-1].value`;

function mapRecord(map: string, keyOrder: readonly string[] | undefined): JsonRecord {
  const byKey = (k: string) => `CASE WHEN dup THEN ${lastValue(map, k)} ELSE ${map}[${k}] END`;
  return {
    value: (key) => {
      const i = keyOrder?.indexOf(key) ?? -1;
      const k = literal(key);
      return i >= 0
        ? `CASE WHEN usual THEN vals[${i + 1}] WHEN dup THEN ${lastValue(map, k)} ELSE ${map}[${k}] END`
        : byKey(k);
    },
    nullType: (key) => `CASE WHEN map_contains(${map}, ${literal(key)}) THEN 'NULL' END`,
    keys: `CASE WHEN dup THEN list_filter(map_keys(${map}), lambda k, i: list_position(map_keys(${map}), k) = i) ELSE map_keys(${map}) END`,
    text: (k) => `coalesce((${byKey(k)})::VARCHAR, 'null')`,
    usual: 'usual',
  };
}

/**
 * The select lists (applied one after another) of the columns mapRecord reads besides the map
 * `map`: `usual` and `vals`, then `dup` (only a record without the usual keys can repeat one).
 */
function mapRecordStages(map: string, keyOrder: readonly string[] | undefined): string[] {
  const usual = keyOrder?.length
    ? `map_keys(${map}) = [${keyOrder.map(literal).join(', ')}]::VARCHAR[]`
    : 'false';
  return [
    `${usual} AS usual, map_values(${map}) AS vals`,
    `CASE WHEN usual THEN false ELSE len(list_distinct(map_keys(${map}))) < len(map_keys(${map})) END AS dup`,
  ];
}

/**
 * Select lists producing the contract's input columns and `in_extra` from a JSON record, the
 * SQL twin of mapObject, each applied to the previous one's rows (`SELECT *, list FROM ...`):
 * every intermediate value is a column computed once, since DuckDB evaluates an expression
 * again at each place a CASE repeats it. `keyOrder`, when given, is the usual key list of the
 * file's records, all known: a record whose keys are exactly that list has no unknown field,
 * which skips the per-key filter (a lambda over every key, the costliest part of the extraction).
 */
function recordInputStages(m: ColumnMapping, r: JsonRecord, keyOrder?: readonly string[]): string[] {
  const json: string[] = [];
  const first: string[] = [];
  const raw: string[] = [];
  const plain: string[] = [];
  const out: string[] = [];
  for (const field of contractFields(m.dataset)) {
    const src = m.fields[field];
    const kind = fieldRule(m.dataset, field)?.kind;
    let x = ABSENT;
    if (src && 'constant' in src) x = cellExprs(m, field, literal(src.constant));
    else if (src && 'column' in src) {
      json.push(`(${r.value(src.column)})::VARCHAR AS ${jsonFieldColumns.json(field)}`);
      first.push(`ascii(${jsonFieldColumns.json(field)}) AS ${jsonFieldColumns.first(field)}`);
      // A list tells JSON null ('expected a list') from an absent key (the empty list).
      const ts = jsonTypeAndText(field, kind === 'list' ? r.nullType(src.column) : 'NULL');
      raw.push(`${ts.t} AS ${jsonFieldColumns.type(field)}`, `${ts.s} AS ${jsonFieldColumns.text(field)}`);
      if (kind === 'list')
        plain.push(`${plainListSql(jsonFieldColumns.text(field))} AS ${jsonFieldColumns.plain(field)}`);
      x = jsonValueExprs(
        m,
        field,
        jsonFieldColumns.type(field),
        jsonFieldColumns.text(field),
        jsonFieldColumns.plain(field),
      );
    }
    out.push(...select(field, x, kind));
  }
  const known = knownJsonKeys(m);
  const unknown = `list_filter(${r.keys}, lambda k: k NOT IN (${known.map(literal).join(', ')}))`;
  const pair = `lambda k: to_json(k)::VARCHAR || ':' || ${r.text('k')}`;
  const extra = `CASE WHEN len(${unknown}) > 0 THEN '{' || array_to_string(list_transform(${unknown}, ${pair}), ',') || '}' END`;
  const usual =
    keyOrder && keyOrder.length > 0 && keyOrder.every((k) => known.includes(k)) ? r.usual : undefined;
  out.push(`${usual ? `CASE WHEN ${usual} THEN NULL ELSE ${extra} END` : extra} AS ${inputColumn.extra}`);
  return [json, first, raw, plain, out].filter((list) => list.length > 0).map((list) => list.join(',\n  '));
}

/**
 * Input stages of a `MAP(VARCHAR, JSON)` record `map`: the columns mapRecord reads
 * (mapRecordStages), then recordInputStages.
 */
export function mapInputStages(m: ColumnMapping, map: string, keyOrder?: readonly string[]): string[] {
  return [...mapRecordStages(map, keyOrder), ...recordInputStages(m, mapRecord(map, keyOrder), keyOrder)];
}

/** SQL true when a list's JSON text is a compact array of plain strings (`["@","F"]`, no escapes). */
function plainListSql(s: string): string {
  return `regexp_full_match(${s}, '\\[(?:"[^"\\\\]*"(?:,"[^"\\\\]*")*)?\\]')`;
}

/**
 * A list value's items: a compact array of plain strings (`["@","F"]`, what from_json's JSON
 * values look like; `plain`, see plainListSql) is split as text, its items all strings (`lt`
 * NULL); any other array goes through the JSON functions.
 */
function listExprs(t: string, s: string, plain: string): { li: string; lt: string } {
  const arr = (e: string) => `CASE WHEN ${t} = 'ARRAY' THEN ${e} END`;
  return {
    li: arr(
      `CASE WHEN ${s} = '[]' THEN []::VARCHAR[] WHEN ${plain} THEN string_split(${s}[3:-3], '","') ELSE json_extract_string(${s}, '$[*]') END`,
    ),
    lt: arr(`CASE WHEN ${plain} THEN NULL ELSE json_type(${s}, '$[*]') END`),
  };
}

function jsonValueExprs(m: ColumnMapping, field: string, t: string, s: string, plain: string): FieldExprs {
  const rule = fieldRule(m.dataset, field);
  if (rule?.kind === 'number') {
    const scale = isPriceField(m.dataset, field) && m.priceScale !== 1 ? ` / ${Number(m.priceScale)}` : '';
    return { t, s, n: `(CASE WHEN ${t} IN ${NUMERIC} THEN TRY_CAST(${s} AS DOUBLE)${scale} END)` };
  }
  if (rule?.kind === 'list') return { t, s, ...listExprs(t, s, plain) };
  if (rule?.kind === 'time' && !(m.timeUnit === 'iso' && m.timeZone === 'UTC')) {
    // String(v) of a safe integer: its decimal digits, whatever the JSON literal was (1e3, 1000.0).
    const text = `CASE WHEN ${t} = 'VARCHAR' THEN ${s} ELSE CAST(TRY_CAST(${s} AS DOUBLE) AS BIGINT)::VARCHAR END`;
    const convert = `${t} = 'VARCHAR' OR ${safeIntegerSql(t, s)}`;
    return {
      t: `CASE WHEN ${convert} THEN 'VARCHAR' ELSE ${t} END`,
      s: `CASE WHEN ${convert} THEN ${timeSql(m, `(${text})`)} ELSE ${s} END`,
    };
  }
  return { t, s };
}
