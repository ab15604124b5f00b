import { UsageError } from '../layers/index.js';

/** Partition values of date-partitioned models: `YYYY-MM-DD`. */
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Whether `s` is a real calendar date written `YYYY-MM-DD`. */
export function isPartitionDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/** Parse a `--from/--to` style date, failing with a usage error. */
export function parsePartitionDate(s: string, what: string): string {
  if (!isPartitionDate(s))
    throw new UsageError(`${what} must be a date YYYY-MM-DD, got ${JSON.stringify(s)}`);
  return s;
}

/** `date` moved by `days` (negative goes back). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** A contiguous run of dates, both ends included. */
export interface DateRange {
  from: string;
  to: string;
}

/** Sorted, de-duplicated dates grouped into contiguous ranges. */
export function toRanges(dates: Iterable<string>): DateRange[] {
  const sorted = [...new Set(dates)].sort();
  const ranges: DateRange[] = [];
  for (const d of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && addDays(last.to, 1) === d) last.to = d;
    else ranges.push({ from: d, to: d });
  }
  return ranges;
}
