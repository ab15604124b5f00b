import { ISO_INSTANT_SOURCE, JSON_NUMBER_SOURCE } from '../../contracts/index.js';
import { ident, literal } from '../../layers/index.js';
import { columnIndex } from './map-record.js';
import { type ColumnMapping, contractFields, fieldRule, isPriceField } from './mapping.js';
import { INTEGER_SOURCE, MAX_EPOCH_NS, MS_OR_US_THRESHOLD, NAIVE_SOURCE } from './time-convert.js';

const ISO_FMT = `'%Y-%m-%dT%H:%M:%S.%fZ'`;
const match = (t: string, source: string) => `regexp_full_match(${t}, ${literal(source)})`;

/** SQL text → RFC 3339 text for a time cell `t` (VARCHAR), mirroring convertTime. */
function timeSql(m: ColumnMapping, t: string): string {
  const zone = literal(m.timeZone);
  if (m.timeUnit === 'iso') {
    return `CASE WHEN ${match(t, ISO_INSTANT_SOURCE)} THEN ${t} WHEN ${match(t, NAIVE_SOURCE)} THEN strftime(timezone(${zone}, TRY_CAST(${t} AS TIMESTAMP)), ${ISO_FMT}) ELSE ${t} END`;
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

/** SQL: a text cell `t` (NULL when absent or empty) → the JSON value the contract sees. */
export function cellSql(m: ColumnMapping, field: string, t: string): string {
  const rule = fieldRule(m.dataset, field);
  const cell = `nullif(${t}, '')`;
  switch (rule?.kind) {
    case 'number': {
      const scaled =
        isPriceField(m.dataset, field) && m.priceScale !== 1
          ? `to_json(${cell}::DOUBLE / ${Number(m.priceScale)})`
          : `${cell}::JSON`;
      return `CASE WHEN ${match(cell, JSON_NUMBER_SOURCE)} THEN ${scaled} ELSE to_json(${cell}) END`;
    }
    case 'list':
      return `to_json(string_split(${cell}, ' '))`;
    case 'time':
      return `to_json(${timeSql(m, cell)})`;
    default:
      return `to_json(${cell})`;
  }
}

/**
 * Select list producing `in_<field>` (JSON) and `in_extra` from a row of text cells `cells`
 * (VARCHAR[], 1-based) named `names`: the SQL twin of mapCells.
 */
export function delimitedInputsSql(m: ColumnMapping, names: readonly string[], cells: string): string {
  const out: string[] = [];
  const used = new Set<number>();
  const fields = new Set(contractFields(m.dataset));
  for (const field of contractFields(m.dataset)) {
    const src = m.fields[field];
    let expr = 'NULL::JSON';
    if (src && 'constant' in src) expr = cellSql(m, field, literal(src.constant));
    else if (src) {
      const i = columnIndex(m, field, names);
      if (i !== undefined) {
        used.add(i);
        expr = cellSql(m, field, `${cells}[${i + 1}]`);
      }
    }
    out.push(`${expr} AS ${ident(`in_${field}`)}`);
  }
  const extras = names
    .map((name, i) => ({ name, i }))
    .filter(({ name, i }) => !used.has(i) && !fields.has(name))
    .map(({ name, i }) => `${literal(name)}, ${cells}[${i + 1}]`);
  out.push(`${extras.length ? `json_object(${extras.join(', ')})::VARCHAR` : 'NULL::VARCHAR'} AS in_extra`);
  return out.join(',\n  ');
}

/** Select list producing `in_<field>` and `in_extra` from a JSON object `line`: the SQL twin of mapObject. */
export function jsonInputsSql(m: ColumnMapping, line: string): string {
  const fields = contractFields(m.dataset);
  const keyOf = (f: string) => {
    const src = m.fields[f];
    return src && 'column' in src ? src.column : undefined;
  };
  const out: string[] = [];
  const keys = fields.map(keyOf).filter((k): k is string => k !== undefined);
  for (const field of fields) {
    const src = m.fields[field];
    const key = keyOf(field);
    let expr = 'NULL::JSON';
    if (src && 'constant' in src) expr = cellSql(m, field, literal(src.constant));
    else if (key !== undefined) {
      const v = `json_extract(${line}, ${literal(`$."${key.replaceAll('"', '\\"')}"`)})`;
      expr = jsonValueSql(m, field, v);
    }
    out.push(`${expr} AS ${ident(`in_${field}`)}`);
  }
  const skip = [...new Set([...keys, ...fields])].map(literal).join(', ');
  const unknown = `list_filter(json_keys(${line}), lambda k: k NOT IN (${skip}))`;
  const pair = `lambda k: to_json(k)::VARCHAR || ':' || json_extract(${line}, '$."' || replace(k, '"', '\\"') || '"')::VARCHAR`;
  out.push(
    `CASE WHEN len(${unknown}) > 0 THEN '{' || array_to_string(list_transform(${unknown}, ${pair}), ',') || '}' END AS in_extra`,
  );
  return out.join(',\n  ');
}

function jsonValueSql(m: ColumnMapping, field: string, v: string): string {
  const rule = fieldRule(m.dataset, field);
  if (rule?.kind === 'number' && isPriceField(m.dataset, field) && m.priceScale !== 1)
    return `CASE WHEN json_type(${v}) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN to_json(${v}::DOUBLE / ${Number(m.priceScale)}) ELSE ${v} END`;
  if (rule?.kind === 'time' && !(m.timeUnit === 'iso' && m.timeZone === 'UTC')) {
    const safe = `(json_type(${v}) IN ('BIGINT', 'UBIGINT') AND abs(${v}::HUGEINT) <= 9007199254740991)`;
    return `CASE WHEN json_type(${v}) = 'VARCHAR' OR ${safe} THEN to_json(${timeSql(m, `(${v} ->> '$')`)}) ELSE ${v} END`;
  }
  return v;
}
