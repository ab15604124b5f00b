import type { AnomalySettings } from '../models/index.js';

/** Regular-session minutes of known dates (from gold.dim_date); other dates use the weekday rule. */
export type SessionMinutes = ReadonlyMap<string, number>;

export interface AnomalyJudgement {
  partition: string;
  rows: number;
  anomalous: boolean;
  detail: Record<string, unknown>;
}

const REGULAR_MINUTES = 390;
const EARLY_CLOSE_MINUTES = 210;

/**
 * NYSE regular-session minutes of a date by rule: weekends 0, 13:00 closes on July 3, December 24 and
 * the day after Thanksgiving (the rule of sql/macros/nyse_regular_session.sql), 390 otherwise.
 * Holidays are known from gold.dim_date; without it a holiday simply has no partition.
 */
export function nyseSessionMinutes(date: string, known?: SessionMinutes): number {
  const fromCalendar = known?.get(date);
  if (fromCalendar !== undefined) return fromCalendar;
  const d = new Date(`${date}T12:00:00Z`);
  const dow = d.getUTCDay();
  if (dow === 0 || dow === 6) return 0;
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const early =
    (month === 7 && day === 3) ||
    (month === 12 && day === 24) ||
    (month === 11 && dow === 5 && day >= 23 && day <= 29);
  return early ? EARLY_CLOSE_MINUTES : REGULAR_MINUTES;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Judge each partition (in `[from, to]` when given) against the `trailing` partitions before it:
 * rows per session minute (calendar `nyse`) or per day, robust z = 0.6745 (x - median) / MAD.
 * Anomalous when |change from the median| > maxChange and |z| > maxZ (a MAD of 0 makes any change
 * infinite in z, so the change alone decides). Partitions with fewer than `minHistory` trailing
 * partitions, or on a date without a session, are not judged.
 */
export function judgeAnomalies(
  rowsByPartition: ReadonlyMap<string, number>,
  settings: AnomalySettings,
  minutes: SessionMinutes,
  range: { from?: string; to?: string } = {},
): AnomalyJudgement[] {
  const perMinute = (p: string) => (settings.calendar === 'nyse' ? nyseSessionMinutes(p, minutes) : 1440);
  const series = [...rowsByPartition.entries()]
    .filter(([p]) => perMinute(p) > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([partition, rows]) => ({
      partition,
      rows,
      minutes: perMinute(partition),
      rate: rows / perMinute(partition),
    }));
  const out: AnomalyJudgement[] = [];
  for (const [i, point] of series.entries()) {
    if ((range.from && point.partition < range.from) || (range.to && point.partition > range.to)) continue;
    const history = series.slice(Math.max(0, i - settings.trailing), i).map((s) => s.rate);
    if (history.length < settings.minHistory) continue;
    const m = median(history);
    const mad = median(history.map((r) => Math.abs(r - m)));
    const change = m > 0 ? point.rate / m - 1 : point.rate > 0 ? Number.POSITIVE_INFINITY : 0;
    const z =
      mad > 0
        ? (0.6745 * (point.rate - m)) / mad
        : point.rate === m
          ? 0
          : Math.sign(point.rate - m) * Number.POSITIVE_INFINITY;
    const anomalous = Math.abs(change) > settings.maxChange && Math.abs(z) > settings.maxZ;
    out.push({
      partition: point.partition,
      rows: point.rows,
      anomalous,
      detail: {
        partition: point.partition,
        rows: point.rows,
        session_minutes: point.minutes,
        expected_rows: Math.round(m * point.minutes),
        change_pct: Number.isFinite(change) ? Math.round(change * 1000) / 10 : null,
        robust_z: Number.isFinite(z) ? Math.round(z * 100) / 100 : null,
      },
    });
  }
  return out;
}
