import { JSON_NUMBER_SOURCE } from '../../contracts/index.js';
import { type ColumnMapping, contractFields, fieldRule, isPriceField } from './mapping.js';
import { convertTime } from './time-convert.js';

const JSON_NUMBER = new RegExp(`^${JSON_NUMBER_SOURCE}$`);

/** Column names of a row: the header, or `column1..N` without one. */
export function columnNames(header: readonly string[] | null, count: number): string[] {
  return header ? [...header] : Array.from({ length: count }, (_, i) => `column${i + 1}`);
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
  const fields = new Set(contractFields(mapping.dataset));
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (!used.has(i) && !fields.has(name)) out[name] = cells[i] ?? null;
  }
  return out;
}

/** A JSON object mapped onto the contract (keys renamed, prices scaled, times converted). */
export function mapObject(mapping: ColumnMapping, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const used = new Set<string>();
  for (const field of contractFields(mapping.dataset)) {
    const src = mapping.fields[field];
    if (!src) continue;
    if ('constant' in src) {
      out[field] = convertCell(mapping, field, src.constant);
      continue;
    }
    const key = 'column' in src ? src.column : Object.keys(value)[src.position - 1];
    if (key === undefined || !(key in value)) continue;
    used.add(key);
    out[field] = convertJsonValue(mapping, field, value[key]);
  }
  const fields = new Set(contractFields(mapping.dataset));
  for (const [k, v] of Object.entries(value)) if (!used.has(k) && !fields.has(k)) out[k] = v;
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
