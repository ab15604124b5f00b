import { z } from 'zod';

/**
 * The declarative rule behind every contract column. Both validators derive from it: the zod
 * schema (per record, streams and in-memory values) and the SQL expressions (bulk files inside
 * DuckDB, see contract-sql.ts). Each field reports at most one reason, its first failed check,
 * with the same text on both paths.
 */
export type FieldRule =
  | { kind: 'number'; sign: 'positive' | 'nonnegative' | 'any'; integer: boolean; nullable: boolean }
  | {
      kind: 'text';
      min: number;
      max: number;
      pattern?: TextPattern;
      /**
       * Accept a JSON integer within ±(2^53-1) as its decimal text (vendor ids); applied by
       * validateRecord before the schema, so the schema itself takes text only.
       */
      fromInteger?: boolean;
      nullable: boolean;
    }
  | { kind: 'enum'; values: readonly string[]; nullable: boolean }
  | { kind: 'list'; maxItems: number; itemMax: number; itemPattern?: TextPattern }
  | { kind: 'time'; nullable: boolean }
  | { kind: 'date'; nullable: boolean };

export interface TextPattern {
  /** RE2- and JavaScript-compatible source, anchored by the validators. */
  source: string;
  message: string;
}

/** Earliest event time any contract accepts. */
export const EARLIEST_EVENT_AT = Date.UTC(1990, 0, 1);
/** How far into the future an event time may be (clock skew between a feed and us). */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** RFC 3339 with an explicit offset, range-checked digits, up to nanoseconds. */
export const ISO_INSTANT_SOURCE =
  '\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])[T ](?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?(?:Z|[+-](?:[01]\\d|2[0-3]):?[0-5]\\d)';
export const ISO_DATE_SOURCE = '\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])';
/** A JSON number literal: what the mappers turn into a number (anything else stays text). */
export const JSON_NUMBER_SOURCE = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';

/** Every reason text a field can produce. */
export const MESSAGES = {
  required: 'required',
  number: 'expected a number',
  finite: 'must be a finite number',
  positive: 'must be > 0',
  nonnegative: 'must be >= 0',
  integer: 'must be an integer',
  text: 'expected text',
  nul: 'text holds a NUL character (U+0000), which PostgreSQL cannot store',
  unsafeInteger: 'integer beyond 2^53 would lose precision; send it as text',
  list: 'expected a list of text',
  instant: 'timestamp must be RFC 3339 with an offset, e.g. 2024-03-04T14:30:00.123456Z',
  date: 'date must be YYYY-MM-DD',
  realDate: 'not a real date',
  before1990: 'timestamp is before 1990-01-01',
  future: 'timestamp is in the future',
  minLength: (n: number) => (n === 1 ? 'must not be empty' : `shorter than ${n} characters`),
  maxLength: (n: number) => `longer than ${n} characters`,
  maxItems: (n: number) => `more than ${n} items`,
  oneOf: (values: readonly string[]) => `must be one of ${values.join(', ')}`,
  itemText: (i: number) => `item ${i}: expected text`,
  itemMax: (i: number, n: number) => `item ${i}: longer than ${n} characters`,
  itemPattern: (i: number, message: string) => `item ${i}: ${message}`,
} as const;

const anchored = (p: TextPattern) => new RegExp(`^(?:${p.source})$`);
const ISO_INSTANT = new RegExp(`^${ISO_INSTANT_SOURCE}$`);
const ISO_DATE = new RegExp(`^${ISO_DATE_SOURCE}$`);

/** Is y-m-d a day of the calendar (rejects 2024-02-30)? */
export function isRealDay(text: string): boolean {
  const y = Number(text.slice(0, 4));
  const m = Number(text.slice(5, 7));
  const d = Number(text.slice(8, 10));
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Epoch milliseconds of a text that matched ISO_INSTANT (sub-millisecond digits ignored). */
export function instantMillis(text: string): number {
  const offset = /(?:Z|([+-])(\d{2}):?(\d{2}))$/.exec(text);
  const base = Date.UTC(
    Number(text.slice(0, 4)),
    Number(text.slice(5, 7)) - 1,
    Number(text.slice(8, 10)),
    Number(text.slice(11, 13)),
    Number(text.slice(14, 16)),
    Number(text.slice(17, 19)),
  );
  const frac = /\.(\d{1,3})/.exec(text.slice(19));
  const ms = frac?.[1] ? Number(frac[1].padEnd(3, '0')) : 0;
  if (!offset?.[1]) return base + ms;
  const sign = offset[1] === '-' ? 1 : -1;
  return base + ms + sign * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000;
}

const required = (iss: { input?: unknown }, typeMessage: string) =>
  iss.input === undefined || iss.input === null ? MESSAGES.required : typeMessage;

function numberSchema(rule: Extract<FieldRule, { kind: 'number' }>): z.ZodType {
  let s = z.number({
    error: (iss) => (typeof iss.input === 'number' ? MESSAGES.finite : required(iss, MESSAGES.number)),
  });
  if (rule.integer) s = s.int({ error: MESSAGES.integer, abort: true });
  if (rule.sign === 'positive') s = s.positive({ error: MESSAGES.positive, abort: true });
  if (rule.sign === 'nonnegative') s = s.nonnegative({ error: MESSAGES.nonnegative, abort: true });
  return s;
}

function textSchema(rule: Extract<FieldRule, { kind: 'text' }>): z.ZodType {
  let s = z.string({ error: (iss) => required(iss, MESSAGES.text) });
  if (rule.min > 0) s = s.min(rule.min, { error: MESSAGES.minLength(rule.min), abort: true });
  s = s.max(rule.max, { error: MESSAGES.maxLength(rule.max), abort: true });
  if (rule.pattern) s = s.regex(anchored(rule.pattern), { error: rule.pattern.message, abort: true });
  // Gold is served into PostgreSQL, whose text cannot hold U+0000: refused at the edge, not at serving.
  return s.refine((v) => !v.includes('\u0000'), { error: MESSAGES.nul, abort: true });
}

/**
 * Is `text` longer than `max` characters, counted as code points (as zod's string checks and
 * DuckDB's length() count them)? `.length` counts UTF-16 units, never fewer: the cheap test first.
 */
export function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let n = 0;
  for (const _ of text) if (++n > max) return true;
  return false;
}

function listSchema(rule: Extract<FieldRule, { kind: 'list' }>): z.ZodType {
  const pattern = rule.itemPattern ? anchored(rule.itemPattern) : undefined;
  return z
    .array(z.unknown(), { error: MESSAGES.list })
    .max(rule.maxItems, { error: MESSAGES.maxItems(rule.maxItems), abort: true })
    .check((ctx) => {
      const items = ctx.value;
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        let message: string | undefined;
        if (typeof item !== 'string') message = MESSAGES.itemText(i);
        else if (longerThan(item, rule.itemMax)) message = MESSAGES.itemMax(i, rule.itemMax);
        else if (pattern && rule.itemPattern && !pattern.test(item))
          message = MESSAGES.itemPattern(i, rule.itemPattern.message);
        if (message) {
          ctx.issues.push({ code: 'custom', message, input: items, continue: false });
          return;
        }
      }
    }) as unknown as z.ZodType<string[]>;
}

function timeSchema(): z.ZodType {
  return z
    .string({ error: (iss) => required(iss, MESSAGES.instant) })
    .regex(ISO_INSTANT, { error: MESSAGES.instant, abort: true })
    .refine(isRealDay, { error: MESSAGES.realDate, abort: true })
    .refine((s) => instantMillis(s) >= EARLIEST_EVENT_AT, { error: MESSAGES.before1990, abort: true })
    .refine((s) => instantMillis(s) <= Date.now() + FUTURE_TOLERANCE_MS, {
      error: MESSAGES.future,
      abort: true,
    });
}

function dateSchema(): z.ZodType {
  return z
    .string({ error: (iss) => required(iss, MESSAGES.date) })
    .regex(ISO_DATE, { error: MESSAGES.date, abort: true })
    .refine(isRealDay, { error: MESSAGES.realDate, abort: true });
}

/** The zod schema of a rule (nullable fields default to null, lists to []). */
export function zodOf(rule: FieldRule): z.ZodType {
  switch (rule.kind) {
    case 'number':
      return rule.nullable ? numberSchema(rule).nullable().default(null) : numberSchema(rule);
    case 'text':
      return rule.nullable ? textSchema(rule).nullable().default(null) : textSchema(rule);
    case 'enum': {
      const s = z.enum(rule.values as [string, ...string[]], {
        error: (iss) => required(iss, MESSAGES.oneOf(rule.values)),
      });
      return rule.nullable ? s.nullable().default(null) : s;
    }
    case 'list':
      return listSchema(rule).default([]);
    case 'time':
      return rule.nullable ? timeSchema().nullable().default(null) : timeSchema();
    case 'date':
      return rule.nullable ? dateSchema().nullable().default(null) : dateSchema();
  }
}

/** A rule across fields, checked only when every field passed: all comparisons must hold. */
export interface RecordRule {
  path: string;
  message: string;
  all: ReadonlyArray<readonly [string, '>=' | '<=', string]>;
}

/** Does `record` satisfy every comparison of `rule`? */
export function holds(rule: RecordRule, record: Record<string, unknown>): boolean {
  return rule.all.every(([a, op, b]) => {
    const x = record[a] as number;
    const y = record[b] as number;
    return op === '>=' ? x >= y : x <= y;
  });
}
