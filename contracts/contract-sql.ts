import { quotedIdentifier as ident, quotedString as literal } from '@duckdb/node-api';
import { DATASETS, type DatasetName, EXTRA_COLUMN, EXTRA_MAX_CHARS } from './datasets.js';
import {
  EARLIEST_EVENT_AT,
  type FieldRule,
  FUTURE_TOLERANCE_MS,
  ISO_DATE_SOURCE,
  ISO_INSTANT_SOURCE,
  MESSAGES,
  type TextPattern,
} from './rules.js';

/**
 * The contract's rules as DuckDB SQL, generated from the same FieldRule/RecordRule definitions
 * the zod schemas are built from (rules.ts). Input: one JSON-typed column per contract field
 * named `in_<field>` (SQL NULL when absent) and `in_extra` (JSON object text or NULL). Output of
 * `checkSelect`: `r_<field>` (the field's reason or NULL) and `v_<field>` (the typed value);
 * `reasonExpr` joins them into the record's reason, the same text validateRecord gives.
 */
export interface ContractSql {
  /** Select list computing `r_*` and `v_*` from `in_*` (plus every column passed through). */
  checkSelect: string;
  /** Reason expression over `r_*` and `v_*`: NULL when the record is valid. */
  reasonExpr: string;
  /** Select list of the typed contract columns (from `v_*`), named as the contract names them. */
  valueSelect: string;
}

const q = (s: string) => literal(s);
const inCol = (name: string) => ident(`in_${name}`);
const missing = (v: string) => `(${v} IS NULL OR json_type(${v}) = 'NULL')`;
const str = (v: string) => `(${v} ->> '$')`;
const NUMERIC_JSON = `('BIGINT', 'UBIGINT', 'DOUBLE')`;
const re = (p: TextPattern | string) => q(typeof p === 'string' ? p : p.source);

function nullOrRequired(nullable: boolean): string {
  return nullable ? 'NULL' : q(MESSAGES.required);
}

function textChecks(rule: Extract<FieldRule, { kind: 'text' }>, s: string): string {
  const parts: string[] = [];
  if (rule.min > 0) parts.push(`WHEN length(${s}) < ${rule.min} THEN ${q(MESSAGES.minLength(rule.min))}`);
  parts.push(`WHEN length(${s}) > ${rule.max} THEN ${q(MESSAGES.maxLength(rule.max))}`);
  if (rule.pattern)
    parts.push(`WHEN NOT regexp_full_match(${s}, ${re(rule.pattern)}) THEN ${q(rule.pattern.message)}`);
  return parts.join(' ');
}

const SAFE = '9007199254740991';
const safeInteger = (v: string) =>
  `(json_type(${v}) IN ${NUMERIC_JSON} AND ${v}::DOUBLE = trunc(${v}::DOUBLE) AND abs(${v}::DOUBLE) <= ${SAFE})`;

/** The reason a JSON value `v` breaks `rule`, or NULL. */
function reasonOf(rule: FieldRule, v: string): string {
  switch (rule.kind) {
    case 'number': {
      const n = `${v}::DOUBLE`;
      const checks = [
        `WHEN json_type(${v}) NOT IN ${NUMERIC_JSON} THEN ${q(MESSAGES.number)}`,
        `WHEN NOT isfinite(${n}) THEN ${q(MESSAGES.finite)}`,
      ];
      if (rule.integer)
        checks.push(`WHEN ${n} <> trunc(${n}) OR abs(${n}) > ${SAFE} THEN ${q(MESSAGES.integer)}`);
      if (rule.sign === 'positive') checks.push(`WHEN ${n} <= 0 THEN ${q(MESSAGES.positive)}`);
      if (rule.sign === 'nonnegative') checks.push(`WHEN ${n} < 0 THEN ${q(MESSAGES.nonnegative)}`);
      return `CASE WHEN ${missing(v)} THEN ${nullOrRequired(rule.nullable)} ${checks.join(' ')} END`;
    }
    case 'text': {
      const ints = rule.fromInteger
        ? `WHEN ${safeInteger(v)} THEN NULL WHEN json_type(${v}) IN ${NUMERIC_JSON} THEN ${q(MESSAGES.unsafeInteger)} `
        : '';
      return `CASE WHEN ${missing(v)} THEN ${nullOrRequired(rule.nullable)} ${ints}WHEN json_type(${v}) <> 'VARCHAR' THEN ${q(MESSAGES.text)} ${textChecks(rule, str(v))} END`;
    }
    case 'enum': {
      const values = rule.values.map(q).join(', ');
      return `CASE WHEN ${missing(v)} THEN ${nullOrRequired(rule.nullable)} WHEN json_type(${v}) <> 'VARCHAR' OR ${str(v)} NOT IN (${values}) THEN ${q(MESSAGES.oneOf(rule.values))} END`;
    }
    case 'list': {
      const items = `CAST(${v} AS JSON[])`;
      const bad = (x: string) => {
        const conds = [`json_type(${x}) <> 'VARCHAR'`, `length(${str(x)}) > ${rule.itemMax}`];
        if (rule.itemPattern) conds.push(`NOT regexp_full_match(${str(x)}, ${re(rule.itemPattern)})`);
        return conds.join(' OR ');
      };
      const i = `list_position(list_transform(${items}, lambda x: ${bad('x')}), true)`;
      const item = `${items}[${i}]`;
      const idx = `CAST(${i} - 1 AS VARCHAR)`;
      const itemReason = [
        `WHEN json_type(${item}) <> 'VARCHAR' THEN 'item ' || ${idx} || ': ${MESSAGES.text}'`,
        `WHEN length(${str(item)}) > ${rule.itemMax} THEN 'item ' || ${idx} || ': ${MESSAGES.maxLength(rule.itemMax)}'`,
        ...(rule.itemPattern ? [`ELSE 'item ' || ${idx} || ': ' || ${q(rule.itemPattern.message)}`] : []),
      ].join(' ');
      return `CASE WHEN ${v} IS NULL THEN NULL WHEN json_type(${v}) <> 'ARRAY' THEN ${q(MESSAGES.list)} WHEN json_array_length(${v}) > ${rule.maxItems} THEN ${q(MESSAGES.maxItems(rule.maxItems))} WHEN ${i} > 0 THEN (CASE ${itemReason} END) END`;
    }
    case 'time': {
      const s = str(v);
      const ts = `TRY_CAST(${s} AS TIMESTAMPTZ)`;
      const earliest = q(new Date(EARLIEST_EVENT_AT).toISOString());
      return `CASE WHEN ${missing(v)} THEN ${rule.nullable ? 'NULL' : q(MESSAGES.required)} WHEN json_type(${v}) <> 'VARCHAR' OR NOT regexp_full_match(${s}, ${re(ISO_INSTANT_SOURCE)}) THEN ${q(MESSAGES.instant)} WHEN ${ts} IS NULL THEN ${q(MESSAGES.realDate)} WHEN ${ts} < ${earliest}::TIMESTAMPTZ THEN ${q(MESSAGES.before1990)} WHEN ${ts} > now() + INTERVAL ${FUTURE_TOLERANCE_MS} MILLISECOND THEN ${q(MESSAGES.future)} END`;
    }
    case 'date': {
      const s = str(v);
      return `CASE WHEN ${missing(v)} THEN ${nullOrRequired(rule.nullable)} WHEN json_type(${v}) <> 'VARCHAR' OR NOT regexp_full_match(${s}, ${re(ISO_DATE_SOURCE)}) THEN ${q(MESSAGES.date)} WHEN TRY_CAST(${s} AS DATE) IS NULL THEN ${q(MESSAGES.realDate)} END`;
    }
  }
}

/** The typed value of a JSON value `v` under `rule` (only meaningful when its reason is NULL). */
function typedValueOf(rule: FieldRule, v: string, sqlType: string): string {
  switch (rule.kind) {
    case 'number':
      return `CASE WHEN ${missing(v)} THEN NULL ELSE TRY_CAST(${v} AS ${sqlType}) END`;
    case 'text':
      return rule.fromInteger
        ? `CASE WHEN ${missing(v)} THEN NULL WHEN json_type(${v}) = 'VARCHAR' THEN ${str(v)} ELSE TRY_CAST(TRY_CAST(${v}::DOUBLE AS BIGINT) AS VARCHAR) END`
        : `CASE WHEN ${missing(v)} THEN NULL ELSE ${str(v)} END`;
    case 'enum':
      return `CASE WHEN ${missing(v)} THEN NULL ELSE ${str(v)} END`;
    case 'list':
      return `CASE WHEN ${v} IS NULL THEN []::VARCHAR[] ELSE list_transform(TRY_CAST(${v} AS JSON[]), lambda x: x ->> '$') END`;
    case 'time':
      return `TRY_CAST(${str(v)} AS TIMESTAMPTZ)`;
    case 'date':
      return `TRY_CAST(${str(v)} AS DATE)`;
  }
}

/** The contract's rules as SQL for one dataset (see ContractSql). */
export function contractSql(dataset: DatasetName): ContractSql {
  const contract = DATASETS[dataset];
  const checks: string[] = [];
  const values: string[] = [];
  const reasons: string[] = [];
  const fields = contract.columns.filter((c) => c.rule);
  for (const c of fields) {
    const rule = c.rule as FieldRule;
    checks.push(`${reasonOf(rule, inCol(c.name))} AS ${ident(`r_${c.name}`)}`);
    checks.push(`${typedValueOf(rule, inCol(c.name), c.sqlType)} AS ${ident(`v_${c.name}`)}`);
    values.push(`${ident(`v_${c.name}`)} AS ${ident(c.name)}`);
  }
  const allFieldsOk = fields.map((c) => `${ident(`r_${c.name}`)} IS NULL`).join(' AND ');
  for (const c of fields) {
    const rules = contract.recordRules.filter((r) => r.path === c.name);
    const ruleReasons = rules.map((r) => {
      const ok = r.all.map(([a, op, b]) => `${ident(`v_${a}`)} ${op} ${ident(`v_${b}`)}`).join(' AND ');
      return `WHEN ${allFieldsOk} AND NOT (${ok}) THEN ${q(`${c.name}: ${r.message}`)}`;
    });
    reasons.push(
      `CASE WHEN ${ident(`r_${c.name}`)} IS NOT NULL THEN ${q(`${c.name}: `)} || ${ident(`r_${c.name}`)} ${ruleReasons.join(' ')} END`,
    );
  }
  const extra = inCol(EXTRA_COLUMN);
  reasons.push(
    `CASE WHEN length(${extra}) > ${EXTRA_MAX_CHARS} THEN ${q(`${EXTRA_COLUMN}: ${MESSAGES.maxLength(EXTRA_MAX_CHARS)}`)} END`,
  );
  values.push(`${extra} AS ${ident(EXTRA_COLUMN)}`);
  return {
    checkSelect: checks.join(',\n  '),
    reasonExpr: `nullif(concat_ws('; ', ${reasons.join(', ')}), '')`,
    valueSelect: values.join(', '),
  };
}
