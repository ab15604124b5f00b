import type { z } from 'zod';
import { DATASETS, type DatasetName, EXTRA_COLUMN, EXTRA_MAX_CHARS } from './datasets.js';
import { jsonText } from './json-text.js';
import { longerThan, MESSAGES } from './rules.js';
import { isWellFormedValue, LONE_SURROGATE_MESSAGE } from './unicode.js';

/** The outcome of checking one record: the contract row (with `extra`), or the reason it was refused. */
export type Validation = { ok: true; row: Record<string, unknown> } | { ok: false; reason: string };

/**
 * Check one value against a dataset's contract, per record (streams, in-memory values). Fields
 * the contract does not know are kept as JSON text in `extra`; integers given for text id
 * fields become their decimal text when exact. The reason names each failing field once (its
 * first failed check) in column order, the same text the SQL path (contract-sql.ts) produces.
 */
export function validateRecord(dataset: DatasetName, value: unknown): Validation {
  const contract = DATASETS[dataset];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: '(record): expected a JSON object' };
  }
  const input: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  let extras = 0;
  const known = KNOWN[dataset];
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (key !== EXTRA_COLUMN && known.has(key)) input[key] = v;
    else {
      extra[key] = v;
      extras += 1;
    }
  }
  const pre: string[] = [];
  for (const column of contract.columns) {
    const v = input[column.name];
    // Neither DuckDB nor Parquet can store a lone surrogate (JSON.parse makes one from "\ud800").
    if (!isWellFormedValue(v)) {
      pre.push(`${column.name}: ${LONE_SURROGATE_MESSAGE}`);
      continue;
    }
    if (column.rule?.kind === 'text' && column.rule.fromInteger && typeof v === 'number') {
      if (Number.isSafeInteger(v)) input[column.name] = String(v);
      else pre.push(`${column.name}: ${MESSAGES.unsafeInteger}`);
    }
  }
  const extraText = extras > 0 ? jsonText(extra) : null;
  const parsed = contract.schema.safeParse(input);
  const merged =
    parsed.success && pre.length === 0
      ? []
      : mergeReasons(
          contract.columns.map((c) => c.name),
          pre,
          parsed.success ? [] : firstIssuePerField(parsed.error),
        );
  if (extras > 0 && !isWellFormedValue(extra)) merged.push(`${EXTRA_COLUMN}: ${LONE_SURROGATE_MESSAGE}`);
  else if (extraText !== null && longerThan(extraText, EXTRA_MAX_CHARS)) {
    merged.push(`${EXTRA_COLUMN}: ${MESSAGES.maxLength(EXTRA_MAX_CHARS)}`);
  }
  if (merged.length > 0) return { ok: false, reason: merged.join('; ') };
  return { ok: true, row: { ...(parsed.data as Record<string, unknown>), [EXTRA_COLUMN]: extraText } };
}

/** Column names per dataset, computed once (validateRecord runs for every record). */
const KNOWN = {} as Record<DatasetName, ReadonlySet<string>>;
for (const d of Object.values(DATASETS)) KNOWN[d.name] = new Set(d.columns.map((c) => c.name));

function firstIssuePerField(error: z.ZodError): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const issue of error.issues) {
    const top = issue.path.length ? String(issue.path[0]) : '(record)';
    if (seen.has(top)) continue;
    seen.add(top);
    out.push(`${top}: ${issue.message}`);
  }
  return out;
}

/** Pre-checks and schema reasons in column order, one per field. */
function mergeReasons(order: string[], pre: string[], reasons: string[]): string[] {
  const byField = new Map<string, string>();
  for (const r of [...pre, ...reasons]) {
    const key = r.slice(0, r.indexOf(':'));
    if (!byField.has(key)) byField.set(key, r);
  }
  const out: string[] = [];
  for (const name of order) {
    const r = byField.get(name);
    if (r) out.push(r);
  }
  for (const [key, r] of byField) if (!order.includes(key)) out.push(r);
  return out;
}
