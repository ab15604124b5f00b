import type { CheckResult } from './check-runner.js';
import type { QuarantineSummary, TableTrend } from './report-data.js';

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Name and version of the JSON report's shape (README "Data quality": the fields). Bump on change. */
export const REPORT_SCHEMA = 'marketlake.dq-report';
export const REPORT_SCHEMA_VERSION = 2;

/** A check whose status differs from its previous run's. */
export interface CheckChange {
  model: string;
  check: string;
  before: CheckResult['status'] | 'new';
  after: CheckResult['status'];
}

/** Pass rate of a check over its last runs (this one included). */
export interface CheckTrend {
  model: string;
  check: string;
  runs: number;
  passed: number;
}

/** A served table held back at its served version, and why. */
export interface BlockedTable {
  table: string;
  reason: string;
}

export interface QualityReport {
  schema: typeof REPORT_SCHEMA;
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  generatedAt: string;
  runId?: string;
  lake: string;
  /** Partition range checked (inclusive); absent = every partition. */
  scope: { from?: string; to?: string };
  summary: QualitySummary;
  results: CheckResult[];
  changes: CheckChange[];
  trends: CheckTrend[];
  tables: TableTrend[];
  quarantine: QuarantineSummary[];
  blocked: BlockedTable[];
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

/** The parts of a report besides the results (history, trends, quarantine); all optional. */
export type ReportExtras = Partial<
  Pick<QualityReport, 'scope' | 'changes' | 'trends' | 'tables' | 'quarantine' | 'blocked'>
>;

export function buildReport(
  results: CheckResult[],
  lake: string,
  runId?: string,
  extras: ReportExtras = {},
): QualityReport {
  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    ...(runId ? { runId } : {}),
    lake,
    scope: extras.scope ?? {},
    summary: summarize(results),
    results,
    changes: extras.changes ?? [],
    trends: extras.trends ?? [],
    tables: extras.tables ?? [],
    quarantine: extras.quarantine ?? [],
    blocked: extras.blocked ?? [],
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

const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
const scopeText = (r: QualityReport) =>
  r.scope.from || r.scope.to
    ? `partitions ${r.scope.from ?? '…'} to ${r.scope.to ?? '…'}`
    : 'every partition';

/** Results grouped by table, in the order they ran. */
function byModel(results: readonly CheckResult[]): Map<string, CheckResult[]> {
  const out = new Map<string, CheckResult[]>();
  for (const r of results) out.set(r.model, [...(out.get(r.model) ?? []), r]);
  return out;
}

const trendOf = (report: QualityReport, r: CheckResult) =>
  report.trends.find((t) => t.model === r.model && t.check === r.check);

export function renderMarkdown(report: QualityReport): string {
  const s = report.summary;
  const lines = [
    '# marketlake data-quality report',
    '',
    `Generated ${report.generatedAt}${report.runId ? ` for run ${mdCell(report.runId)}` : ''} on lake ${mdCell(report.lake)}, ${scopeText(report)}.`,
    '',
    `**${s.passed}/${s.checks} checks passed**, ${s.failed} failed, ${s.warned} warnings.`,
  ];
  if (report.blocked.length > 0) {
    lines.push('', '**Not served** (kept at their served version):', '');
    for (const b of report.blocked) lines.push(`- ${mdCell(b.table)}: ${mdCell(b.reason)}`);
  }
  if (report.changes.length > 0) {
    lines.push(
      '',
      '### Changed since the last run',
      '',
      '| table | check | before | now |',
      '| --- | --- | --- | --- |',
    );
    for (const c of report.changes)
      lines.push(`| ${mdCell(c.model)} | ${mdCell(c.check)} | ${c.before} | ${c.after} |`);
  }
  if (report.quarantine.length > 0) {
    lines.push(
      '',
      '### Quarantine',
      '',
      '| dataset | accepted | quarantined | rate | top reasons |',
      '| --- | ---: | ---: | ---: | --- |',
    );
    for (const q of report.quarantine)
      lines.push(
        `| ${mdCell(q.dataset)} | ${q.accepted} | ${q.quarantined} | ${pct(q.rate)} | ${q.topReasons.map((r) => `${mdCell(r.reason)} (${r.rows})`).join('; ')} |`,
      );
  }
  lines.push(
    '',
    '### Checks',
    '',
    '| status | table | check | kind | severity | failing rows | pass rate (runs) | rule |',
    '| --- | --- | --- | --- | --- | ---: | ---: | --- |',
    ...report.results.map((r) => {
      const t = trendOf(report, r);
      const rate = t ? `${t.passed}/${t.runs}` : '';
      return `| ${statusLabel(r)} | ${mdCell(r.model)} | ${mdCell(r.check)} | ${r.kind} | ${r.severity} | ${r.failingRows} | ${rate} | ${mdCell(r.error ?? r.description)} |`;
    }),
  );
  for (const r of report.results.filter((x) => x.sample.length > 0)) {
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

function htmlSample(r: CheckResult): string {
  const cols = [...new Set(r.sample.flatMap((row) => Object.keys(row)))];
  const head = cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = r.sample
    .map((row) => `<tr>${cols.map((c) => `<td>${escapeHtml(sampleText(row[c]))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<details open><summary>${escapeHtml(`${r.check}: sample of ${r.sample.length} offending row(s)`)}</summary>
<div class="scroll"><table class="sample"><thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody></table></div></details>`;
}

/**
 * A small bar chart in plain HTML and CSS (no script, no SVG, no network): one bar per point,
 * height relative to the largest, the value in each bar's title.
 */
export function barChart(
  label: string,
  points: readonly { x: string; y: number }[],
  format = (y: number) => String(y),
): string {
  if (points.length === 0) return '';
  const max = Math.max(...points.map((p) => p.y), 0);
  const bars = points
    .map((p) => {
      const h = max > 0 ? Math.max(1, Math.round((p.y / max) * 100)) : 1;
      return `<span class="bar" style="height:${h}%" title="${escapeHtml(`${p.x}: ${format(p.y)}`)}"></span>`;
    })
    .join('');
  const first = points[0]!.x;
  const last = points[points.length - 1]!.x;
  return `<figure class="chart" role="img" aria-label="${escapeHtml(label)}"><figcaption>${escapeHtml(label)} <small>(max ${escapeHtml(format(max))})</small></figcaption>
<div class="bars">${bars}</div><div class="axis"><span>${escapeHtml(first)}</span><span>${escapeHtml(last)}</span></div></figure>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328;max-width:1200px}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
.cards{display:flex;gap:1rem;margin:1rem 0}.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1.2rem;min-width:7rem}
.card strong{display:block;font-size:1.8rem}.card.pass strong{color:#1a7f37}.card.fail strong{color:#cf222e}.card.warn strong{color:#9a6700}
tr.pass td:first-child{color:#1a7f37}tr.fail td:first-child,tr.error td:first-child{color:#cf222e;font-weight:bold}tr.warn td:first-child{color:#9a6700}
.chart{display:inline-block;margin:.5rem 1.5rem .5rem 0;width:320px}.chart figcaption{font-size:.85rem}
.bars{display:flex;align-items:flex-end;gap:1px;height:70px;border-bottom:1px solid #8c959f}.bar{flex:1;background:#0969da;min-width:2px}
.quarantine .bar{background:#bf8700}.axis{display:flex;justify-content:space-between;font-size:.7rem;color:#57606a}
.scroll{overflow-x:auto}.sample td{font-family:ui-monospace,monospace;font-size:.8rem;white-space:pre-wrap;word-break:break-all}
.blocked{border-left:4px solid #cf222e;padding:.3rem .8rem;background:#fff5f5}section{margin-top:2rem}`;

export function renderHtml(report: QualityReport): string {
  const s = report.summary;
  const card = (cls: string, n: number, label: string) =>
    `<div class="card ${cls}"><strong>${n}</strong>${escapeHtml(label)}</div>`;
  const blocked =
    report.blocked.length > 0
      ? `<div class="blocked"><p><strong>Not served</strong> (kept at their served version):</p><ul>${report.blocked
          .map((b) => `<li>${escapeHtml(b.table)}: ${escapeHtml(b.reason)}</li>`)
          .join('')}</ul></div>`
      : '';
  const changes =
    report.changes.length > 0
      ? `<h3>Changed since the last run</h3><table><thead><tr><th>table</th><th>check</th><th>before</th><th>now</th></tr></thead><tbody>${report.changes
          .map(
            (c) =>
              `<tr><td>${escapeHtml(c.model)}</td><td>${escapeHtml(c.check)}</td><td>${escapeHtml(c.before)}</td><td>${escapeHtml(c.after)}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p>No check changed status since the last run.</p>';
  const quarantine =
    report.quarantine.length > 0
      ? `<section class="quarantine"><h2>Quarantine</h2><table><thead><tr><th>dataset</th><th>accepted</th><th>quarantined</th><th>rate</th><th>top reasons</th></tr></thead><tbody>${report.quarantine
          .map(
            (q) =>
              `<tr><td>${escapeHtml(q.dataset)}</td><td>${q.accepted}</td><td>${q.quarantined}</td><td>${pct(q.rate)}</td><td>${q.topReasons
                .map((r) => `${escapeHtml(r.reason)} (${r.rows})`)
                .join('<br>')}</td></tr>`,
          )
          .join('')}</tbody></table>${report.quarantine
          .map((q) =>
            barChart(
              `${q.dataset}: quarantine rate per partition`,
              q.partitions.map((p) => ({
                x: p.partition,
                y: p.accepted + p.quarantined > 0 ? p.quarantined / (p.accepted + p.quarantined) : 0,
              })),
              pct,
            ),
          )
          .join('')}</section>`
      : '';
  const sections = [...byModel(report.results).entries()]
    .map(([model, results]) => {
      const trend = report.tables.find((t) => t.table === model);
      const chart = trend
        ? barChart(
            `${model}: rows per partition`,
            trend.partitions.map((p) => ({ x: p.partition, y: p.rows })),
          )
        : '';
      const rows = results
        .map((r) => {
          const label = statusLabel(r);
          const t = trendOf(report, r);
          const cells = [
            label,
            r.check,
            r.kind,
            r.severity,
            String(r.failingRows),
            r.threshold !== undefined ? pct(r.threshold) : '',
            t ? `${t.passed}/${t.runs}` : '',
            r.error ?? r.description,
          ];
          return `<tr class="${label.toLowerCase()}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
        })
        .join('\n');
      const failed = results.filter((r) => r.status !== 'pass').length;
      return `<section id="${escapeHtml(model)}"><h2>${escapeHtml(model)}</h2>
<p>${trend ? `${trend.rows} rows in scope. ` : ''}${results.length - failed}/${results.length} checks passed.</p>${chart}
<table><thead><tr><th>status</th><th>check</th><th>kind</th><th>severity</th><th>failing rows</th><th>threshold</th><th>pass rate (runs)</th><th>rule</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${results
  .filter((r) => r.sample.length > 0)
  .map(htmlSample)
  .join('\n')}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>marketlake data quality</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>${STYLE}</style>
</head><body>
<header id="summary"><h1>marketlake data-quality report</h1>
<p>Generated ${escapeHtml(report.generatedAt)}${report.runId ? ` for run ${escapeHtml(report.runId)}` : ''} on lake ${escapeHtml(report.lake)}, ${escapeHtml(scopeText(report))}.</p>
<p><strong>${s.passed}/${s.checks} checks passed</strong>, ${s.failed} failed, ${s.warned} warnings.</p>
<div class="cards">${card('pass', s.passed, 'passed')}${card('warn', s.warned, 'warned')}${card('fail', s.failed, 'failed')}</div>
${blocked}
${changes}</header>
${quarantine}
${sections}
</body></html>
`;
}

export function renderReport(report: QualityReport, format: ReportFormat): string {
  if (format === 'json') return `${inertJson(report, 2)}\n`;
  if (format === 'html') return renderHtml(report);
  return renderMarkdown(report);
}
