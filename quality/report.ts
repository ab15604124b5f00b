import type { CheckResult } from './check-runner.js';

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface QualityReport {
  generatedAt: string;
  runId?: string;
  lake: string;
  results: CheckResult[];
  summary: QualitySummary;
}

export interface QualitySummary {
  checks: number;
  passed: number;
  /** Error-severity checks that found bad rows or could not run: these fail a run. */
  failed: number;
  warned: number;
}

export function summarize(results: readonly CheckResult[]): QualitySummary {
  const bad = (r: CheckResult) => r.status !== 'pass';
  return {
    checks: results.length,
    passed: results.filter((r) => !bad(r)).length,
    failed: results.filter((r) => bad(r) && r.severity === 'error').length,
    warned: results.filter((r) => bad(r) && r.severity === 'warn').length,
  };
}

export function buildReport(results: CheckResult[], lake: string, runId?: string): QualityReport {
  return {
    generatedAt: new Date().toISOString(),
    ...(runId ? { runId } : {}),
    lake,
    results,
    summary: summarize(results),
  };
}

function statusLabel(r: CheckResult): string {
  if (r.status === 'pass') return 'PASS';
  if (r.status === 'error') return 'ERROR';
  return r.severity === 'error' ? 'FAIL' : 'WARN';
}

/**
 * Text from the data (sample rows, error messages) may hold HTML or Markdown: reports show it as
 * text. A Markdown table cell escapes `|`, HTML and backticks; JSON in reports writes `<`, `>`, `&`
 * and backticks as \u escapes (still the same JSON), so a value cannot close a code fence or open a tag.
 */
const mdCell = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, '&#96;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');

/** JSON.stringify with `<`, `>`, `&` and backticks escaped (valid JSON, inert in HTML and Markdown). */
export function inertJson(value: unknown, space?: number): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), space).replace(
    /[<>&`\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function renderMarkdown(report: QualityReport): string {
  const s = report.summary;
  const lines = [
    '# marketlake data-quality report',
    '',
    `Generated ${report.generatedAt}${report.runId ? ` for run ${report.runId}` : ''} on lake ${report.lake}.`,
    '',
    `**${s.passed}/${s.checks} checks passed**, ${s.failed} failed, ${s.warned} warnings.`,
    '',
    '| status | model | check | severity | failing rows | rule |',
    '| --- | --- | --- | --- | ---: | --- |',
    ...report.results.map(
      (r) =>
        `| ${statusLabel(r)} | ${mdCell(r.model)} | ${mdCell(r.check)} | ${r.severity} | ${r.failingRows} | ${mdCell(r.error ?? r.description)} |`,
    ),
  ];
  const failing = report.results.filter((r) => r.sample.length > 0);
  for (const r of failing) {
    lines.push(
      '',
      `## ${mdCell(r.model)} · ${mdCell(r.check)}`,
      '',
      'Sample of offending rows:',
      '',
      '```json',
    );
    for (const row of r.sample) lines.push(inertJson(row));
    lines.push('```');
  }
  return `${lines.join('\n')}\n`;
}

/** Text as HTML text or attribute value: every character that could start markup or end a quote. */
export const escapeHtml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** A sample cell as text: JSON for lists and structs, `NULL` for null. */
function sampleText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return inertJson(value);
  return String(value);
}

/** The offending rows of each failing check, as escaped HTML tables. */
function htmlSamples(report: QualityReport): string {
  return report.results
    .filter((r) => r.sample.length > 0)
    .map((r) => {
      const cols = [...new Set(r.sample.flatMap((row) => Object.keys(row)))];
      const head = cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
      const body = r.sample
        .map((row) => `<tr>${cols.map((c) => `<td>${escapeHtml(sampleText(row[c]))}</td>`).join('')}</tr>`)
        .join('\n');
      return `<h2>${escapeHtml(`${r.model} · ${r.check}`)}</h2>
<p>Sample of offending rows:</p>
<table><thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody></table>`;
    })
    .join('\n');
}

export function renderHtml(report: QualityReport): string {
  const s = report.summary;
  const rows = report.results
    .map((r) => {
      const label = statusLabel(r);
      const cells = [label, r.model, r.check, r.severity, String(r.failingRows), r.error ?? r.description];
      return `<tr class="${label.toLowerCase()}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>marketlake data quality</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}
.pass td:first-child{color:#1a7f37}.fail td:first-child,.error td:first-child{color:#cf222e;font-weight:bold}.warn td:first-child{color:#9a6700}</style>
</head><body>
<h1>marketlake data-quality report</h1>
<p>Generated ${escapeHtml(report.generatedAt)} on lake ${escapeHtml(report.lake)}.</p>
<p><strong>${s.passed}/${s.checks} checks passed</strong>, ${s.failed} failed, ${s.warned} warnings.</p>
<table><thead><tr><th>status</th><th>model</th><th>check</th><th>severity</th><th>failing rows</th><th>rule</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${htmlSamples(report)}
</body></html>
`;
}

export function renderReport(report: QualityReport, format: ReportFormat): string {
  if (format === 'json') return `${inertJson(report, 2)}\n`;
  if (format === 'html') return renderHtml(report);
  return renderMarkdown(report);
}
