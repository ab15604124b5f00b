import { ISO_INSTANT_SOURCE } from '../../contracts/index.js';
import type { TimeUnit } from './mapping.js';

const ISO_INSTANT = new RegExp(`^${ISO_INSTANT_SOURCE}$`);
/** A date and time without offset, read in the mapping's time zone. */
export const NAIVE_SOURCE = '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?';
const NAIVE = new RegExp(`^${NAIVE_SOURCE}$`);
/** Integer epoch or ms-of-day text. */
export const INTEGER_SOURCE = '-?\\d{1,25}';
const INTEGER = new RegExp(`^${INTEGER_SOURCE}$`);
/** Year 10000 in nanoseconds: epochs at or beyond it stay as text (and are refused). */
export const MAX_EPOCH_NS = 253402300800n * 1_000_000_000n;
/** An epoch at or above this is microseconds under `ms-or-us`, below it milliseconds. */
export const MS_OR_US_THRESHOLD = 100_000_000_000_000n;

const NS_PER: Record<string, bigint> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, ns: 1n };

function isoFromNs(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function offsetMs(zone: string, utcMs: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const local = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  return local - Math.floor(utcMs / 1000) * 1000;
}

const DAY_MS = 86_400_000;

/**
 * UTC ISO text of a naive `YYYY-MM-DD HH:MM:SS[.f]` read in `zone`. Around a change of offset
 * (within a day of it) the wall time is tried with the offset before and after: a wall time
 * that occurs twice (clocks set back) is its first occurrence, one that never occurs (clocks
 * set forward) takes the offset in force before, as java.time and Temporal's default do
 * (02:30 on a New York spring-forward day is 07:30Z, 01:30 on the fall-back day 05:30Z).
 */
export function zonedToUtc(naive: string, zone: string): string {
  const wall = Date.UTC(
    +naive.slice(0, 4),
    +naive.slice(5, 7) - 1,
    +naive.slice(8, 10),
    +naive.slice(11, 13),
    +naive.slice(14, 16),
    +naive.slice(17, 19),
  );
  const before = offsetMs(zone, wall - DAY_MS);
  const after = offsetMs(zone, wall + DAY_MS);
  let t = wall - before;
  if (before !== after) {
    const valid = [wall - before, wall - after].filter((c) => c + offsetMs(zone, c) === wall);
    if (valid.length > 0) t = Math.min(...valid);
  }
  const frac = naive.length > 19 ? naive.slice(19) : '';
  return `${new Date(t).toISOString().slice(0, 19)}${frac}Z`;
}

/**
 * An event time as the contract wants it (RFC 3339 text), converted exactly (BigInt, so
 * nanosecond epochs beyond 2^53 keep every digit). Text that does not fit the unit is returned
 * unchanged: the contract then refuses it with its reason.
 */
export function convertTime(text: string, unit: TimeUnit, zone: string, date?: string): string {
  if (unit === 'iso') {
    if (ISO_INSTANT.test(text)) return text;
    return NAIVE.test(text) ? zonedToUtc(text, zone) : text;
  }
  if (!INTEGER.test(text)) return text;
  const n = BigInt(text);
  if (unit === 'ms-of-day') {
    if (!date || n < 0n) return text;
    const ms = Number(n);
    if (ms >= 86_400_000) return text;
    const pad = (x: number, w = 2) => String(x).padStart(w, '0');
    const clock = `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}`;
    const naive = `${date} ${clock}.${pad(ms % 1000, 3)}`;
    return zonedToUtc(naive, zone);
  }
  const per = unit === 'ms-or-us' ? (n >= MS_OR_US_THRESHOLD ? NS_PER.us : NS_PER.ms) : NS_PER[unit];
  const ns = n * (per as bigint);
  return ns < 0n || ns >= MAX_EPOCH_NS ? text : isoFromNs(ns);
}
