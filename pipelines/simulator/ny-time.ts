/** Microseconds in one hour. */
export const MICROS_PER_HOUR = 3_600_000_000;
/** Microseconds in one (UTC) day. */
export const MICROS_PER_DAY = 86_400_000_000;
const MS_PER_DAY = 86_400_000;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const newYorkFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Parse `YYYY-MM-DD` into days since 1970-01-01 (UTC); throws on anything that is not a real date. */
export function parseDay(date: string): number {
  const m = DATE_PATTERN.exec(date);
  if (!m) throw new RangeError(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`not a real date: ${date}`);
  }
  return ms / MS_PER_DAY;
}

/** Days since 1970-01-01 back to `YYYY-MM-DD`. */
export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Day of week of a day number: 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/**
 * The first `count` weekdays (Monday to Friday) on or after `startDate`, as `YYYY-MM-DD`.
 * Exchange holidays are not modelled: every weekday counts as a trading day.
 */
export function usWeekdays(startDate: string, count: number): string[] {
  const days: string[] = [];
  for (let day = parseDay(startDate); days.length < count; day++) {
    const wd = weekdayOf(day);
    if (wd !== 0 && wd !== 6) days.push(formatDay(day));
  }
  return days;
}

/** Offset of New York wall-clock time from UTC at the instant `utcMs`, in milliseconds (-5 h or -4 h). */
function newYorkOffsetMs(utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of newYorkFormatter.formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/**
 * Epoch microseconds (UTC) of New York wall-clock time `hh:mm` on `date` (`YYYY-MM-DD`),
 * daylight saving time included: 2024-03-04 09:30 gives 14:30Z (EST), 2024-03-12 09:30 gives 13:30Z (EDT).
 * Uses Intl, so call it a few times per day, not per event. Wall times that do not exist or occur twice
 * at a DST switch (02:00-03:00 local) resolve to one of the candidate instants.
 */
export function newYorkToUtcMicros(date: string, hh: number, mm: number): number {
  const wallMs = parseDay(date) * MS_PER_DAY + (hh * 60 + mm) * 60_000;
  const first = newYorkOffsetMs(wallMs);
  let utcMs = wallMs - first;
  const second = newYorkOffsetMs(utcMs);
  if (second !== first) utcMs = wallMs - second;
  return utcMs * 1000;
}

let cachedDay = Number.NaN;
/** Char codes of `YYYY-MM-DDT` for `cachedDay`. */
const prefix: [number, number, number, number, number, number, number, number, number, number, number] = [
  48, 48, 48, 48, 45, 48, 48, 45, 48, 48, 84,
];

/**
 * RFC 3339 text with exactly six fractional digits and `Z` for integer epoch microseconds,
 * e.g. `2024-03-04T14:30:00.123456Z`. The fraction is built from the integer, never through Date.
 * Hot path: one flat string from char codes, no intermediate strings.
 */
export function formatMicros(micros: number): string {
  const us = Math.floor(micros);
  const day = Math.floor(us / MICROS_PER_DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    const text = `${formatDay(day)}T`;
    for (let i = 0; i < 11; i++) prefix[i] = text.charCodeAt(i);
  }
  let rest = us - day * MICROS_PER_DAY;
  const h = Math.floor(rest / MICROS_PER_HOUR);
  rest -= h * MICROS_PER_HOUR;
  const m = Math.floor(rest / 60_000_000);
  rest -= m * 60_000_000;
  const s = Math.floor(rest / 1_000_000);
  const f = rest - s * 1_000_000;
  const p = prefix;
  // biome-ignore format: one char code per output character reads better in rows
  return String.fromCharCode(
    p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10],
    48 + Math.floor(h / 10), 48 + (h % 10), 58, 48 + Math.floor(m / 10), 48 + (m % 10), 58,
    48 + Math.floor(s / 10), 48 + (s % 10), 46,
    48 + Math.floor(f / 100_000), 48 + (Math.floor(f / 10_000) % 10), 48 + (Math.floor(f / 1000) % 10),
    48 + (Math.floor(f / 100) % 10), 48 + (Math.floor(f / 10) % 10), 48 + (f % 10), 90,
  );
}
