import Table from 'cli-table3';

/** Render rows as a terminal table. */
export function renderTable(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const table = new Table({ head: cols, style: { head: [], border: [] } });
  for (const row of rows) table.push(cols.map((c) => cellText(row[c])));
  return table.toString();
}

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection), tab and CR included. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number is inert in every spreadsheet, even with a sign (`-1.5`, `+3e5`). */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * One CSV field (RFC 4180 quoting). A text cell that a spreadsheet would run as a formula
 * (`=cmd|' /C calc'!A0`, `+`, `-`, `@`, a leading tab or CR) is written as text: a single quote
 * before it, inside a quoted field (OWASP's advice). Numbers, and text that is a plain number,
 * are written as they are.
 */
export function csvField(value: unknown, text = true): string {
  if (value === null || value === undefined) return '';
  const raw = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text && typeof value === 'string' && FORMULA_START.test(raw) && !PLAIN_NUMBER.test(raw)) {
    return `"'${raw.replace(/"/g, '""')}"`;
  }
  return /[",\n\r]/.test(raw) ? `"${raw.replace(/"/g, '""')}"` : raw;
}

/**
 * Rows as CSV with a header line. `textColumns` names the columns holding text (VARCHAR): only
 * their cells are guarded against formula injection; without it, every string cell is.
 */
export function renderCsv(
  rows: Record<string, unknown>[],
  columns?: string[],
  textColumns?: ReadonlySet<string>,
): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const isText = cols.map((c) => textColumns === undefined || textColumns.has(c));
  const lines = [
    cols.map((c) => csvField(c)).join(','),
    ...rows.map((r) => cols.map((c, i) => csvField(r[c], isText[i])).join(',')),
  ];
  return `${lines.join('\n')}\n`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
