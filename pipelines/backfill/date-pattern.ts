import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../layers/index.js';

/** Date placeholders a `--files` pattern may carry (each replaced by digits only). */
export const DATE_PLACEHOLDERS = ['{YYYY-MM-DD}', '{YYYYMMDD}', '{YYYY}', '{MM}', '{DD}'] as const;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Every UTC calendar day from `from` to `to`, both included (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  for (const [flag, d] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (!ISO_DAY.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)))
      throw new UsageError(`${flag} must be a date YYYY-MM-DD, got ${JSON.stringify(d)}`);
  }
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** The pattern with one day's placeholders filled in (digits only, so nothing new can appear in a path). */
export function fillDate(pattern: string, day: string): string {
  const [y, m, d] = day.split('-') as [string, string, string];
  return pattern
    .replaceAll('{YYYY-MM-DD}', day)
    .replaceAll('{YYYYMMDD}', `${y}${m}${d}`)
    .replaceAll('{YYYY}', y)
    .replaceAll('{MM}', m)
    .replaceAll('{DD}', d);
}

/**
 * Check a `--files` pattern before anything is read: it needs a date placeholder (otherwise every
 * day names the same files), `*`/`?` only in the file name (folders are named exactly: a pattern
 * never walks a tree), no `..` segment and no other braces.
 */
export function checkFilePattern(pattern: string): void {
  if (!DATE_PLACEHOLDERS.some((p) => pattern.includes(p)))
    throw new UsageError(`--files ${pattern}: needs a date placeholder (${DATE_PLACEHOLDERS.join(' ')})`);
  const plain = fillDate(pattern, '2000-01-01');
  if (/[{}]/.test(plain))
    throw new UsageError(`--files ${pattern}: unknown placeholder (use ${DATE_PLACEHOLDERS.join(' ')})`);
  if (plain.split(/[\\/]/).includes('..')) throw new UsageError(`--files ${pattern}: ".." is not allowed`);
  if (/[*?[\]]/.test(dirname(plain)))
    throw new UsageError(`--files ${pattern}: wildcards are allowed in the file name only, not in folders`);
  if (plain.includes('\0')) throw new UsageError('--files: NUL in the pattern');
}

function nameMatcher(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|\\[\]]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** Files of one day: the filled pattern, with `*`/`?` in the file name matched in its folder. */
export async function filesForDay(pattern: string, day: string): Promise<string[]> {
  const filled = fillDate(pattern, day);
  const dir = dirname(filled);
  const name = basename(filled);
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const re = nameMatcher(name);
  return entries
    .filter((e) => e.isFile() && re.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}

export interface DayFiles {
  day: string;
  files: string[];
}

/** The files of every day from `from` to `to`; a day with none has `files: []`. */
export async function expandFilePattern(pattern: string, from: string, to: string): Promise<DayFiles[]> {
  checkFilePattern(pattern);
  const out: DayFiles[] = [];
  for (const day of daysBetween(from, to)) out.push({ day, files: await filesForDay(pattern, day) });
  return out;
}
