import { JSON_NUMBER_SOURCE } from '../../contracts/index.js';
import { type ColumnMapping, contractFieldSet, contractFields, fieldRule, isPriceField } from './mapping.js';
import { convertTime } from './time-convert.js';

const JSON_NUMBER = new RegExp(`^${JSON_NUMBER_SOURCE}$`);

/** Column names of a row: the header, or `column1..N` without one. */
export function columnNames(header: readonly string[] | null, count: number): string[] {
  return header ? [...header] : Array.from({ length: count }, (_, i) => `column${i + 1}`);
}

/**
 * Required contract fields the mapping cannot fill from a file whose columns (CSV header, or the
 * first JSON record's keys) are `names`: every record would be refused for them. A hint for the
 * user, computed before reading; the contract still judges each record.
 */
export function unmappedRequiredFields(mapping: ColumnMapping, names: readonly string[]): string[] {
  return contractFields(mapping.dataset).filter((field) => {
    const rule = fieldRule(mapping.dataset, field);
    if (!rule || rule.kind === 'list' || rule.nullable) return false;
    const src = mapping.fields[field];
    if (!src) return true;
    if ('constant' in src) return false;
    if ('position' in src) return src.position > names.length;
    return !names.includes(src.column);
  });
}

/** Index of the column a field maps to, or undefined (constant / absent). */
export function columnIndex(
  mapping: ColumnMapping,
  field: string,
  names: readonly string[],
): number | undefined {
  const src = mapping.fields[field];
  if (!src || 'constant' in src) return undefined;
  if ('position' in src) return src.position - 1;
  const i = names.indexOf(src.column);
  return i < 0 ? undefined : i;
}

/** Convert one text cell to the value the contract sees (numbers, lists, RFC 3339 times). */
export function convertCell(mapping: ColumnMapping, field: string, text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  const rule = fieldRule(mapping.dataset, field);
  switch (rule?.kind) {
    case 'number': {
      if (!JSON_NUMBER.test(text)) return text;
      const n = Number(text);
      return isPriceField(mapping.dataset, field) && mapping.priceScale !== 1 ? n / mapping.priceScale : n;
    }
    case 'list':
      return text.split(mapping.listSeparator ?? ' ');
    case 'time':
      return convertTime(text, mapping.timeUnit, mapping.timeZone, mapping.date);
    default:
      return text;
  }
}

/**
 * A delimited row mapped onto the contract: mapped fields converted, unmapped columns kept
 * (as text) under their names so the writer stores them in `extra`.
 */
export function mapCells(
  mapping: ColumnMapping,
  names: readonly string[],
  cells: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const used = new Set<number>();
  for (const field of contractFields(mapping.dataset)) {
    const src = mapping.fields[field];
    if (!src) continue;
    if ('constant' in src) {
      out[field] = convertCell(mapping, field, src.constant);
      continue;
    }
    const i = columnIndex(mapping, field, names);
    if (i === undefined) continue;
    used.add(i);
    const v = convertCell(mapping, field, cells[i]);
    if (v !== undefined) out[field] = v;
  }
  const fields = contractFieldSet(mapping.dataset);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (!used.has(i) && !fields.has(name)) out[name] = cells[i] ?? null;
  }
  return out;
}

/** A mapping's JSON plan, computed once per mapping: mapObject runs for every record. */
interface JsonPlan {
  constants: [string, unknown][];
  columns: [string, string][];
  positions: [string, number][];
  /** Keys never copied to extras: the contract's fields and the mapping's ignoredKeys. */
  fields: ReadonlySet<string>;
}

const PLANS = new WeakMap<ColumnMapping, JsonPlan>();

function jsonPlan(mapping: ColumnMapping): JsonPlan {
  let plan = PLANS.get(mapping);
  if (plan) return plan;
  const fields = contractFieldSet(mapping.dataset);
  plan = {
    constants: [],
    columns: [],
    positions: [],
    fields: mapping.ignoredKeys?.length ? new Set([...fields, ...mapping.ignoredKeys]) : fields,
  };
  for (const field of contractFields(mapping.dataset)) {
    const src = mapping.fields[field];
    if (!src) continue;
    if ('constant' in src) plan.constants.push([field, convertCell(mapping, field, src.constant)]);
    else if ('column' in src) plan.columns.push([field, src.column]);
    else plan.positions.push([field, src.position]);
  }
  PLANS.set(mapping, plan);
  return plan;
}

/** A JSON object mapped onto the contract (keys renamed, prices scaled, times converted). */
export function mapObject(mapping: ColumnMapping, value: Record<string, unknown>): Record<string, unknown> {
  const plan = jsonPlan(mapping);
  const out: Record<string, unknown> = {};
  const used = new Set<string>();
  for (const [field, v] of plan.constants) out[field] = v;
  for (const [field, key] of plan.columns) {
    if (!Object.hasOwn(value, key)) continue;
    used.add(key);
    out[field] = convertJsonValue(mapping, field, value[key]);
  }
  for (const [field, position] of plan.positions) {
    const key = Object.keys(value)[position - 1];
    if (key === undefined) continue;
    used.add(key);
    out[field] = convertJsonValue(mapping, field, value[key]);
  }
  for (const k in value)
    if (Object.hasOwn(value, k) && !used.has(k) && !plan.fields.has(k)) out[k] = value[k];
  return out;
}

function convertJsonValue(mapping: ColumnMapping, field: string, v: unknown): unknown {
  const rule = fieldRule(mapping.dataset, field);
  if (
    rule?.kind === 'number' &&
    typeof v === 'number' &&
    isPriceField(mapping.dataset, field) &&
    mapping.priceScale !== 1
  )
    return v / mapping.priceScale;
  if (
    rule?.kind === 'time' &&
    !(mapping.timeUnit === 'iso' && mapping.timeZone === 'UTC') &&
    (typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v)))
  )
    return convertTime(String(v), mapping.timeUnit, mapping.timeZone, mapping.date);
  return v;
}
