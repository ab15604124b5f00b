import { inputColumn, JSON_NUMBER_SOURCE, patternMatchSql } from '../../contracts/index.js';
import { ident, literal } from '../../layers/index.js';
import { columnIndex } from './map-record.js';
import { type ColumnMapping, contractFields, fieldRule, isPriceField } from './mapping.js';
import { INTEGER_SOURCE, MAX_EPOCH_NS, MS_OR_US_THRESHOLD, NAIVE_SOURCE } from './time-convert.js';

const ISO_FMT = `'%Y-%m-%dT%H:%M:%S.%fZ'`;
const match = (t: string, source: string) => patternMatchSql(t, source);

/** SQL text → RFC 3339 text for a time cell `t` (VARCHAR), mirroring convertTime. */
function timeSql(m: ColumnMapping, t: string): string {
  const zone = literal(m.timeZone);
  if (m.timeUnit === 'iso') {
    // Only a naive time (no offset, so it ends in a digit; an instant ends in Z or an offset
    // and never matches NAIVE) is converted; anything else passes as is, to be judged by the
    // contract. The suffix test spares the regex for the usual `...Z`.
    return `CASE WHEN NOT suffix(${t}, 'Z') AND ${match(t, NAIVE_SOURCE)} THEN strftime(timezone(${zone}, TRY_CAST(${t} AS TIMESTAMP)), ${ISO_FMT}) ELSE ${t} END`;
  }
  const isInt = match(t, INTEGER_SOURCE);
  if (m.timeUnit === 'ms-of-day') {
    if (!m.date) return t;
    return `CASE WHEN ${isInt} AND ${t}::HUGEINT BETWEEN 0 AND 86399999 THEN strftime(timezone(${zone}, ${literal(m.date)}::DATE::TIMESTAMP + to_milliseconds(${t}::BIGINT)), ${ISO_FMT}) ELSE ${t} END`;
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

/** A text cell `t` (VARCHAR; NULL or '' when absent) → the field's inputs, as convertCell sees it. */
export function cellExprs(m: ColumnMapping, field: string, t: string): FieldExprs {
  const rule = fieldRule(m.dataset, field);
  const c = `nullif(${t}, '')`;
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
 * Select list producing the contract's input columns and `in_extra` from a row of text cells
 * `cells` (VARCHAR[], 1-based) named `names`: the SQL twin of mapCells. No JSON is involved.
 */
export function delimitedInputsSql(m: ColumnMapping, names: readonly string[], cells: string): string {
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
        x = cellExprs(m, field, `${cells}[${i + 1}]`);
      }
    }
    out.push(...select(field, x, fieldRule(m.dataset, field)?.kind));
  }
  const extras = names
    .map((name, i) => ({ name, i }))
    .filter(({ name, i }) => !used.has(i) && !fields.has(name))
    .map(({ name, i }) => `${literal(name)}, ${cells}[${i + 1}]`);
  out.push(
    `${extras.length ? `json_object(${extras.join(', ')})::VARCHAR` : 'NULL::VARCHAR'} AS ${inputColumn.extra}`,
  );
  return out.join(',\n  ');
}

/** JSON path of a top-level key. */
const keyPath = (key: string) => `$."${key.replaceAll('"', '\\"')}"`;

/** Keys of the JSON object that a mapping reads, in the order `jsonExtractSql` extracts them. */
function mappedKeys(m: ColumnMapping): string[] {
  const keys: string[] = [];
  for (const field of contractFields(m.dataset)) {
    const src = m.fields[field];
    if (src && 'column' in src) keys.push(src.column);
  }
  return keys;
}

/** Can the mapped keys be one DuckDB struct (field names are case-insensitive there)? */
function structSafe(keys: readonly string[]): boolean {
  return keys.length > 0 && new Set(keys.map((k) => k.toLowerCase())).size === keys.length;
}

/**
 * The one parse of a JSON line, as `jv`: a struct with every mapped key's raw JSON text (SQL
 * NULL when absent or null; NULL as a whole when the line is not JSON). When mapped keys differ
 * only in case (Alpaca's `S`/`s`), a struct cannot hold them: `jt`/`js` lists of types and
 * texts (two parses) are used instead.
 */
export function jsonExtractSql(m: ColumnMapping, line: string): string {
  const keys = mappedKeys(m);
  if (structSafe(keys)) {
    const shape = `{${keys.map((k) => `${JSON.stringify(k)}: "JSON"`).join(', ')}}`;
    return `try(from_json(${line}, ${literal(shape)})) AS jv`;
  }
  const paths = keys.map((k) => literal(keyPath(k)));
  return `try(json_type(${line}, ['$', ${paths.join(', ')}])) AS jt, CASE WHEN jt IS NOT NULL AND ${paths.length} > 0 THEN json_extract_string(${line}, [${paths.join(', ')}]) END AS js`;
}

/** SQL true when the line's JSON could not be read at all (jsonExtractSql's columns). */
export function jsonUnreadableSql(m: ColumnMapping): string {
  return structSafe(mappedKeys(m)) ? 'jv IS NULL' : 'jt IS NULL';
}

/** Type name and text of a raw JSON value `v` (struct path): first byte decides the type. */
function rawValue(v: string): { t: string; s: string } {
  const x = `${v}::VARCHAR`;
  return {
    t: `CASE WHEN ${v} IS NULL THEN NULL ELSE CASE ascii(${x}) WHEN 34 THEN 'VARCHAR' WHEN 91 THEN 'ARRAY' WHEN 123 THEN 'OBJECT' WHEN 116 THEN 'BOOLEAN' WHEN 102 THEN 'BOOLEAN' WHEN 110 THEN 'NULL' ELSE 'DOUBLE' END END`,
    s: `CASE WHEN ascii(${x}) <> 34 THEN ${x} WHEN contains(${x}, '\\') THEN json_extract_string(${x}, '$') ELSE substr(${x}, 2, length(${x}) - 2) END`,
  };
}

/** Keys a JSON line may hold without any of them counting as unknown (`extra`). */
export function knownJsonKeys(m: ColumnMapping): string[] {
  return [...new Set([...mappedKeys(m), ...contractFields(m.dataset)])];
}

/**
 * Select list producing the contract's input columns and `in_extra` from jsonExtractSql's
 * columns and the object `line`: the SQL twin of mapObject.
 * `keyOrder`, when given, is the usual key list of the file's lines, all known: a line whose
 * keys are exactly that list has no unknown field, which skips the per-key filter (a lambda
 * over every key, the costliest part of the extraction).
 */
export function jsonInputsSql(m: ColumnMapping, line: string, keyOrder?: readonly string[]): string {
  const keys = `json_keys(${line})`;
  const fields = contractFields(m.dataset);
  const mapped = mappedKeys(m);
  const struct = structSafe(mapped);
  const out: string[] = [];
  for (const field of fields) {
    const src = m.fields[field];
    let x = ABSENT;
    if (src && 'constant' in src) x = cellExprs(m, field, literal(src.constant));
    else if (src && 'column' in src) {
      const k = mapped.indexOf(src.column) + 1;
      let raw = struct ? rawValue(`jv[${literal(src.column)}]`) : { t: `jt[${k + 1}]`, s: `js[${k}]` };
      if (struct && fieldRule(m.dataset, field)?.kind === 'list') {
        // from_json gives SQL NULL for both an absent key and JSON null; a list tells them apart.
        const v = `jv[${literal(src.column)}]`;
        raw = {
          ...raw,
          t: `CASE WHEN ${v} IS NULL THEN json_type(${line}, ${literal(keyPath(src.column))}) ELSE ${raw.t} END`,
        };
      }
      x = jsonValueExprs(m, field, raw.t, raw.s);
    }
    out.push(...select(field, x, fieldRule(m.dataset, field)?.kind));
  }
  const known = knownJsonKeys(m);
  const unknown = `list_filter(${keys}, lambda k: k NOT IN (${known.map(literal).join(', ')}))`;
  const pair = `lambda k: to_json(k)::VARCHAR || ':' || json_extract(${line}, '$."' || replace(k, '"', '\\"') || '"')::VARCHAR`;
  const extra = `CASE WHEN len(${unknown}) > 0 THEN '{' || array_to_string(list_transform(${unknown}, ${pair}), ',') || '}' END`;
  const usual =
    keyOrder && keyOrder.length > 0 && keyOrder.every((k) => known.includes(k))
      ? `${keys} = [${keyOrder.map(literal).join(', ')}]::VARCHAR[]`
      : undefined;
  out.push(`${usual ? `CASE WHEN ${usual} THEN NULL ELSE ${extra} END` : extra} AS ${inputColumn.extra}`);
  return out.join(',\n  ');
}

/**
 * A list value's items: a compact array of plain strings (`["@","F"]`, what from_json's JSON
 * values look like) is split as text, its items all strings (`lt` NULL); any other array goes
 * through the JSON functions.
 */
function listExprs(t: string, s: string): { li: string; lt: string } {
  const plain = `regexp_full_match(${s}, '\\[(?:"[^"\\\\]*"(?:,"[^"\\\\]*")*)?\\]')`;
  const arr = (e: string) => `CASE WHEN ${t} = 'ARRAY' THEN ${e} END`;
  return {
    li: arr(
      `CASE WHEN ${s} = '[]' THEN []::VARCHAR[] WHEN ${plain} THEN string_split(${s}[3:-3], '","') ELSE json_extract_string(${s}, '$[*]') END`,
    ),
    lt: arr(`CASE WHEN ${plain} THEN NULL ELSE json_type(${s}, '$[*]') END`),
  };
}

function jsonValueExprs(m: ColumnMapping, field: string, t: string, s: string): FieldExprs {
  const rule = fieldRule(m.dataset, field);
  if (rule?.kind === 'number') {
    const scale = isPriceField(m.dataset, field) && m.priceScale !== 1 ? ` / ${Number(m.priceScale)}` : '';
    return { t, s, n: `(CASE WHEN ${t} IN ${NUMERIC} THEN TRY_CAST(${s} AS DOUBLE)${scale} END)` };
  }
  if (rule?.kind === 'list') return { t, s, ...listExprs(t, s) };
  if (rule?.kind === 'time' && !(m.timeUnit === 'iso' && m.timeZone === 'UTC')) {
    const safe = `(${t} IN ('BIGINT', 'UBIGINT') AND abs(TRY_CAST(${s} AS HUGEINT)) <= 9007199254740991)`;
    const convert = `${t} = 'VARCHAR' OR ${safe}`;
    return {
      t: `CASE WHEN ${convert} THEN 'VARCHAR' ELSE ${t} END`,
      s: `CASE WHEN ${convert} THEN ${timeSql(m, s)} ELSE ${s} END`,
    };
  }
  return { t, s };
}
