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
import { patternMatchSql } from './sql-match.js';

/**
 * The contract's rules as DuckDB SQL, generated from the same FieldRule/RecordRule definitions
 * the zod schemas are built from (rules.ts). Each source value is extracted once, before the
 * checks, into plain columns (see InputColumns); the checks never parse JSON again, which is what
 * keeps the bulk path near DuckDB's own copy speed. Output of `typedSelect`: `v_<field>` (the
 * typed value); of `checkSelect`, over those: `r_<field>` (the field's reason or NULL); `reasonExpr` joins them into the
 * record's reason, the same text validateRecord gives.
 */
export interface ContractSql {
  /** Select list computing `v_*` from the input columns. */
  typedSelect: string;
  /** Select list computing `r_*` from the input columns and `v_*` (a projection after typedSelect's). */
  checkSelect: string;
  /** Reason expression over `r_*` and `v_*`: NULL when the record is valid. */
  reasonExpr: string;
  /** Select list of the typed contract columns (from `v_*`), named as the contract names them. */
  valueSelect: string;
}

/**
 * The input columns the generated checks read, per contract field, as the source adapters
 * (map-sql.ts) produce them:
 * - `t_<field>`: the JSON type name of the value as `json_type` spells it (`VARCHAR`, `BIGINT`,
 *   `UBIGINT`, `DOUBLE`, `BOOLEAN`, `ARRAY`, `OBJECT`, `NULL`), SQL NULL when absent;
 * - `s_<field>`: its text (a string's characters, a number's literal, other values as JSON);
 * - `n_<field>` (number fields): its value as DOUBLE (scaled already);
 * - `li_<field>` / `lt_<field>` (list fields): the items' texts and JSON type names (`lt` NULL
 *   when every item is text, e.g. a CSV cell split on spaces);
 * - `in_extra`: unknown fields as JSON object text, or NULL.
 */
export const inputColumn = {
  type: (field: string) => `t_${field}`,
  text: (field: string) => `s_${field}`,
  number: (field: string) => `n_${field}`,
  items: (field: string) => `li_${field}`,
  itemTypes: (field: string) => `lt_${field}`,
  extra: 'in_extra',
} as const;

const q = (s: string) => literal(s);
const NUMERIC_JSON = `('BIGINT', 'UBIGINT', 'DOUBLE')`;
const re = (p: TextPattern | string) => q(typeof p === 'string' ? p : p.source);

interface Inputs {
  t: string;
  s: string;
  n: string;
  li: string;
  lt: string;
}

const inputsOf = (field: string): Inputs => ({
  t: ident(inputColumn.type(field)),
  s: ident(inputColumn.text(field)),
  n: ident(inputColumn.number(field)),
  li: ident(inputColumn.items(field)),
  lt: ident(inputColumn.itemTypes(field)),
});
const missing = (x: Inputs) => `(${x.t} IS NULL OR ${x.t} = 'NULL')`;

function nullOrRequired(nullable: boolean): string {
  return nullable ? 'NULL' : q(MESSAGES.required);
}

/**
 * Character-count tests with a byte-count test first: strlen() is O(1), length() decodes the
 * text, and a character takes 1 to 4 bytes, so the byte count alone settles most values.
 */
const shorterThan = (s: string, n: number) =>
  n === 1 ? `strlen(${s}) = 0` : `(strlen(${s}) < ${4 * n} AND length(${s}) < ${n})`;
const longerThan = (s: string, n: number) => `(strlen(${s}) > ${n} AND length(${s}) > ${n})`;

function textChecks(
  rule: Extract<FieldRule, { kind: 'text' }>,
  s: string,
  options: ContractSqlOptions,
): string {
  const parts: string[] = [];
  if (rule.min > 0) parts.push(`WHEN ${shorterThan(s, rule.min)} THEN ${q(MESSAGES.minLength(rule.min))}`);
  parts.push(`WHEN ${longerThan(s, rule.max)} THEN ${q(MESSAGES.maxLength(rule.max))}`);
  if (rule.pattern && !options.patternsPerValue)
    parts.push(`WHEN NOT ${patternMatchSql(s, rule.pattern.source)} THEN ${q(rule.pattern.message)}`);
  if (!options.withoutNul) parts.push(`WHEN contains(${s}, chr(0)) THEN ${q(MESSAGES.nul)}`);
  return parts.join(' ');
}

const SAFE = '9007199254740991';
/** A JSON number's DOUBLE, from its literal text (the text inputs of id fields). */
const numberOfText = (x: Inputs) => `TRY_CAST(${x.s} AS DOUBLE)`;
/**
 * SQL: is the value with JSON type name `t` and text `s` a number whose value is an integer
 * within ±(2^53-1)? What the per-record engine takes as exact (an id as text, an epoch).
 */
export const safeIntegerSql = (t: string, s: string) =>
  `(${t} IN ${NUMERIC_JSON} AND TRY_CAST(${s} AS DOUBLE) = trunc(TRY_CAST(${s} AS DOUBLE)) AND abs(TRY_CAST(${s} AS DOUBLE)) <= ${SAFE})`;
const safeInteger = (x: Inputs) => safeIntegerSql(x.t, x.s);

function listReason(rule: Extract<FieldRule, { kind: 'list' }>, x: Inputs): string {
  const typeBad = `coalesce(list_position(list_transform(${x.lt}, lambda y: y <> 'VARCHAR'), true), 0)`;
  const conds = [longerThan('y', rule.itemMax)];
  if (rule.itemPattern) conds.push(`NOT ${patternMatchSql('y', rule.itemPattern.source)}`);
  const textBad = `coalesce(list_position(list_transform(${x.li}, lambda y: ${conds.join(' OR ')}), true), 0)`;
  const i = `(CASE WHEN ${typeBad} = 0 THEN ${textBad} WHEN ${textBad} = 0 THEN ${typeBad} ELSE least(${typeBad}, ${textBad}) END)`;
  const idx = `CAST(${i} - 1 AS VARCHAR)`;
  const itemReason = [
    `WHEN coalesce(${x.lt}[${i}], 'VARCHAR') <> 'VARCHAR' THEN 'item ' || ${idx} || ': ${MESSAGES.text}'`,
    `WHEN ${longerThan(`${x.li}[${i}]`, rule.itemMax)} THEN 'item ' || ${idx} || ': ${MESSAGES.maxLength(rule.itemMax)}'`,
    ...(rule.itemPattern ? [`ELSE 'item ' || ${idx} || ': ' || ${q(rule.itemPattern.message)}`] : []),
  ].join(' ');
  // Items all text (lt NULL) and the list's text (a JSON array or a cell, never shorter in
  // bytes than its items together: a JSON escape decodes to fewer bytes) fits one item.
  const fits = rule.itemPattern
    ? ''
    : `WHEN ${x.lt} IS NULL AND strlen(${x.s}) <= ${rule.itemMax} THEN NULL `;
  return `CASE WHEN ${x.t} IS NULL THEN NULL WHEN ${x.t} <> 'ARRAY' THEN ${q(MESSAGES.list)} WHEN len(${x.li}) > ${rule.maxItems} THEN ${q(MESSAGES.maxItems(rule.maxItems))} ${fits}WHEN ${i} > 0 THEN (CASE ${itemReason} END) END`;
}

/**
 * The reason the extracted value `x` breaks `rule`, or NULL. `v` names the field's typed value
 * (typedValueOf, computed in an earlier projection), so a time or date is parsed once per row.
 */
function reasonOf(rule: FieldRule, x: Inputs, v: string, options: ContractSqlOptions): string {
  switch (rule.kind) {
    case 'number': {
      const checks = [
        `WHEN ${x.t} NOT IN ${NUMERIC_JSON} THEN ${q(MESSAGES.number)}`,
        `WHEN ${x.n} IS NULL OR NOT isfinite(${x.n}) THEN ${q(MESSAGES.finite)}`,
      ];
      if (rule.integer)
        checks.push(`WHEN ${x.n} <> trunc(${x.n}) OR abs(${x.n}) > ${SAFE} THEN ${q(MESSAGES.integer)}`);
      if (rule.sign === 'positive') checks.push(`WHEN ${x.n} <= 0 THEN ${q(MESSAGES.positive)}`);
      if (rule.sign === 'nonnegative') checks.push(`WHEN ${x.n} < 0 THEN ${q(MESSAGES.nonnegative)}`);
      return `CASE WHEN ${missing(x)} THEN ${nullOrRequired(rule.nullable)} ${checks.join(' ')} END`;
    }
    case 'text': {
      const ints = rule.fromInteger
        ? `WHEN ${safeInteger(x)} THEN NULL WHEN ${x.t} IN ${NUMERIC_JSON} THEN ${q(MESSAGES.unsafeInteger)} `
        : '';
      return `CASE WHEN ${missing(x)} THEN ${nullOrRequired(rule.nullable)} ${ints}WHEN ${x.t} <> 'VARCHAR' THEN ${q(MESSAGES.text)} ${textChecks(rule, x.s, options)} END`;
    }
    case 'enum': {
      const values = rule.values.map(q).join(', ');
      return `CASE WHEN ${missing(x)} THEN ${nullOrRequired(rule.nullable)} WHEN ${x.t} <> 'VARCHAR' OR ${x.s} NOT IN (${values}) THEN ${q(MESSAGES.oneOf(rule.values))} END`;
    }
    case 'list':
      return listReason(rule, x);
    case 'time': {
      // v = TRY_CAST(s AS TIMESTAMPTZ) (typedValueOf).
      const earliest = q(new Date(EARLIEST_EVENT_AT).toISOString());
      return `CASE WHEN ${missing(x)} THEN ${nullOrRequired(rule.nullable)} WHEN ${x.t} <> 'VARCHAR' OR NOT ${patternMatchSql(x.s, ISO_INSTANT_SOURCE)} THEN ${q(MESSAGES.instant)} WHEN ${v} IS NULL THEN ${q(MESSAGES.realDate)} WHEN ${v} < ${earliest}::TIMESTAMPTZ THEN ${q(MESSAGES.before1990)} WHEN ${v} > now() + INTERVAL ${FUTURE_TOLERANCE_MS} MILLISECOND THEN ${q(MESSAGES.future)} END`;
    }
    case 'date':
      // v = TRY_CAST(s AS DATE) (typedValueOf).
      return `CASE WHEN ${missing(x)} THEN ${nullOrRequired(rule.nullable)} WHEN ${x.t} <> 'VARCHAR' OR NOT regexp_full_match(${x.s}, ${re(ISO_DATE_SOURCE)}) THEN ${q(MESSAGES.date)} WHEN ${v} IS NULL THEN ${q(MESSAGES.realDate)} END`;
  }
}

/** The typed value of the extracted value `x` under `rule` (only meaningful when its reason is NULL). */
function typedValueOf(rule: FieldRule, x: Inputs, sqlType: string): string {
  switch (rule.kind) {
    case 'number':
      // + 0.0 turns -0.0 into 0.0, as JSON.stringify does on the per-record path ("-0" → 0).
      return `CASE WHEN ${missing(x)} THEN NULL ELSE TRY_CAST(${x.n}${sqlType === 'DOUBLE' ? ' + 0.0' : ''} AS ${sqlType}) END`;
    case 'text':
      return rule.fromInteger
        ? `CASE WHEN ${missing(x)} THEN NULL WHEN ${x.t} = 'VARCHAR' THEN ${x.s} ELSE TRY_CAST(TRY_CAST(${numberOfText(x)} AS BIGINT) AS VARCHAR) END`
        : `CASE WHEN ${missing(x)} THEN NULL ELSE ${x.s} END`;
    case 'enum':
      return `CASE WHEN ${missing(x)} THEN NULL ELSE ${x.s} END`;
    case 'list':
      return `coalesce(${x.li}, []::VARCHAR[])`;
    case 'time':
      return `TRY_CAST(${x.s} AS TIMESTAMPTZ)`;
    case 'date':
      return `TRY_CAST(${x.s} AS DATE)`;
  }
}

export interface ContractSqlOptions {
  /**
   * Leave text patterns out of the row checks: the caller runs patternViolationsSql over what
   * it wrote instead (a pass that accepts a whole file or nothing, see bulk-sql.ts).
   */
  patternsPerValue?: boolean;
  /** Leave out the U+0000 tests: the caller knows no text can hold one (the file scan found none). */
  withoutNul?: boolean;
}

/** The contract's rules as SQL for one dataset (see ContractSql). */
export function contractSql(dataset: DatasetName, options: ContractSqlOptions = {}): ContractSql {
  const contract = DATASETS[dataset];
  const typed: string[] = [];
  const checks: string[] = [];
  const values: string[] = [];
  const reasons: string[] = [];
  const fields = contract.columns.filter((c) => c.rule);
  for (const c of fields) {
    const rule = c.rule as FieldRule;
    typed.push(`${typedValueOf(rule, inputsOf(c.name), c.sqlType)} AS ${ident(`v_${c.name}`)}`);
    checks.push(
      `${reasonOf(rule, inputsOf(c.name), ident(`v_${c.name}`), options)} AS ${ident(`r_${c.name}`)}`,
    );
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
  const extra = ident(inputColumn.extra);
  reasons.push(
    `CASE WHEN ${longerThan(extra, EXTRA_MAX_CHARS)} THEN ${q(`${EXTRA_COLUMN}: ${MESSAGES.maxLength(EXTRA_MAX_CHARS)}`)} END`,
  );
  values.push(`${extra} AS ${ident(EXTRA_COLUMN)}`);
  // The same verdict as the reasons, as one test: a comparison with NULL gives no reason.
  const valid = [
    allFieldsOk,
    ...contract.recordRules.map(
      (r) =>
        `coalesce(${r.all.map(([a, op, b]) => `${ident(`v_${a}`)} ${op} ${ident(`v_${b}`)}`).join(' AND ')}, true)`,
    ),
    `NOT coalesce(${longerThan(extra, EXTRA_MAX_CHARS)}, false)`,
  ];
  return {
    typedSelect: typed.join(',\n  '),
    checkSelect: checks.join(',\n  '),
    // Most records are valid: the reason text is built only for the others.
    reasonExpr: `CASE WHEN ${valid.join(' AND ')} THEN NULL ELSE nullif(concat_ws('; ', ${reasons.join(', ')}), '') END`,
    valueSelect: values.join(', '),
  };
}

/**
 * SQL: how many distinct values of the text columns with a pattern (symbol, source) in the
 * Parquet files `files` break it: 0 means every row passes. The other half of
 * `patternsPerValue`: these columns hold a few distinct values, read from Parquet dictionaries,
 * so each is matched once instead of once per row (RE2 costs about 70 ns a call). Exact: a
 * pattern is a function of the value alone.
 */
export function patternViolationsSql(dataset: DatasetName, files: readonly string[]): string {
  const from = `read_parquet([${files.map(q).join(', ')}])`;
  const counts = DATASETS[dataset].columns
    .filter((c) => c.rule?.kind === 'text' && c.rule.pattern)
    .map((c) => {
      const rule = c.rule as Extract<FieldRule, { kind: 'text' }>;
      const v = ident(c.name);
      return `(SELECT count(*) FROM (SELECT DISTINCT ${v} FROM ${from}) WHERE ${v} IS NOT NULL AND NOT ${patternMatchSql(v, (rule.pattern as TextPattern).source)})`;
    });
  return `SELECT (${counts.length ? counts.join(' + ') : '0'})::BIGINT AS n`;
}
