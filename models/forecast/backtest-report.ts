import type { BacktestResult, Comparison, ForecastModel } from './backtest.js';

const LABEL: Record<ForecastModel, string> = {
  random_walk: 'random walk',
  ewma: 'EWMA λ=0.94',
  har: 'HAR-RV',
  har_same_sample: 'HAR-RV (same sample)',
  har_sentiment: 'HAR-RV + sentiment',
};
const COLOR: Record<ForecastModel, string> = {
  random_walk: '#bbbbbb',
  ewma: '#2ca02c',
  har: '#1f77b4',
  har_same_sample: '#9467bd',
  har_sentiment: '#d62728',
};

const f4 = (x: number | undefined) => (x === undefined ? '' : x.toFixed(4));
const pct = (x: number) => `${(x * 100).toFixed(3)}%`;

/** The plain sentence of a comparison: did B beat A, and how sure is the test. */
export function verdict(c: Comparison): string {
  const p = c.panel;
  const better = p.meanDifference > 0;
  const sure = better ? p.pValueBBetter : 1 - p.pValueBBetter;
  const significant = p.pValueTwoSided < 0.05;
  return `${LABEL[c.b]} vs ${LABEL[c.a]}: mean QLIKE ${better ? 'lower' : 'higher'} by ${Math.abs(p.meanDifference).toFixed(4)}; DM = ${p.statistic.toFixed(2)} (${p.n} days, Newey-West ${p.lags} lags), one-sided p = ${sure.toFixed(3)} → ${significant ? (better ? `${LABEL[c.b]} is better at the 5% level` : `${LABEL[c.b]} is worse at the 5% level`) : 'no significant difference at the 5% level'}; per symbol (5%, two-sided): better in ${c.symbolsBetter}, worse in ${c.symbolsWorse} of ${c.symbols}`;
}

/** Line chart (SVG) of realized volatility and each model's forecast for the chart symbol. */
export function renderChartSvg(r: BacktestResult, width = 900, height = 320): string {
  const pts = r.chart.points;
  const pad = { l: 60, r: 10, t: 24, b: 30 };
  const values = pts.flatMap((p) => [p.realized, ...Object.values(p.forecasts)]).sort((a, b) => a - b);
  // Clip the axis at the 99th percentile so one wild day does not flatten the chart.
  const max = values[Math.floor(values.length * 0.99)] ?? 1;
  const x = (i: number) => pad.l + (i / Math.max(1, pts.length - 1)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - Math.min(v, max) / max) * (height - pad.t - pad.b);
  const line = (get: (i: number) => number, color: string, w: number) =>
    `<polyline fill="none" stroke="${color}" stroke-width="${w}" points="${pts.map((_, i) => `${x(i).toFixed(1)},${y(get(i)).toFixed(1)}`).join(' ')}"/>`;
  const series = r.models
    .filter((m) => m !== 'random_walk')
    .map((m) => line((i) => pts[i]!.forecasts[m]!, COLOR[m], 1.5));
  const legend = [
    ['realized (Parkinson)', '#555555'] as const,
    ...r.models.filter((m) => m !== 'random_walk').map((m) => [LABEL[m], COLOR[m]] as const),
  ]
    .map(
      ([name, color], i) =>
        `<text x="${pad.l + 10 + i * 170}" y="16" fill="${color}" font-size="12">■ ${name}</text>`,
    )
    .join('');
  const ticks = [0, 0.5, 1]
    .map((f) => `<text x="4" y="${y(max * f) + 4}" font-size="11">${pct(max * f)}</text>`)
    .join('');
  const dates = [0, Math.floor(pts.length / 2), pts.length - 1]
    .filter((i) => pts[i])
    .map((i) => `<text x="${x(i) - 30}" y="${height - 8}" font-size="11">${pts[i]!.date}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${legend}${ticks}${dates}${line((i) => pts[i]!.realized, '#555555', 1)}${series.join('')}<text x="${width - 260}" y="${height - 8}" font-size="11">${r.dataset} ${r.chart.symbol}: daily volatility, next session</text></svg>`;
}

/** The backtest as Markdown: pooled scores, the DM verdicts, per-symbol scores; the chart as a linked SVG. */
export function renderBacktestMarkdown(
  results: readonly BacktestResult[],
  chartFiles: readonly string[] = [],
): string {
  const lines: string[] = ['# Volatility forecast backtest', ''];
  lines.push(
    'Out-of-sample, one session ahead. Realized variance of a day: Parkinson range variance ln(H/L)² / (4 ln 2) from the daily bar. Every model is refitted at each origin on data up to that close only (HAR-RV: OLS on the last 250 sessions, at least 100; EWMA: λ = 0.94 over 75 sessions). QLIKE on variances, RMSE on daily volatilities; all models are scored on the same (origin, next session) pairs. HAR-RV + sentiment can only be fitted on days with sentiment coverage, a shorter sample than that of plain HAR-RV; HAR-RV (same sample) is plain HAR-RV fitted at each origin on exactly the rows the sentiment model was fitted on, so the headline test of sentiment compares the two and sample length cannot explain the difference. Diebold-Mariano on QLIKE: the panel test uses the daily cross-sectional mean of the loss differences (Newey-West variance, Harvey-Leybourne-Newbold factor).',
    '',
  );
  results.forEach((r, k) => {
    lines.push(`## ${r.dataset}`, '');
    lines.push(
      `${r.n} forecasts, ${r.symbols.length} symbols, target sessions ${r.from} to ${r.to}; ${r.droppedBars} daily bars left out as bad prints (open or close outside [low, high], or ln(H/L) > 0.4).`,
      '',
    );
    lines.push(
      `| model | QLIKE | RMSE (daily vol) | QLIKE vs random walk | fitted rows (mean) |`,
      '| --- | ---: | ---: | ---: | ---: |',
    );
    const rw = r.pooled.random_walk!;
    for (const m of r.models) {
      const s = r.pooled[m]!;
      lines.push(
        `| ${LABEL[m]} | ${f4(s.qlike)} | ${pct(s.rmse)} | ${((s.qlike / rw.qlike - 1) * 100).toFixed(1)}% | ${s.fitObs === undefined ? '' : s.fitObs.toFixed(1)} |`,
      );
    }
    lines.push('');
    if (r.headline) lines.push(`**Did sentiment help?** ${verdict(r.headline)}`, '');
    lines.push(...r.comparisons.filter((c) => c !== r.headline).map((c) => `- ${verdict(c)}`), '');
    if (chartFiles[k]) lines.push(`![forecast vs realized, ${r.chart.symbol}](${chartFiles[k]})`, '');
    lines.push('<details><summary>Per symbol</summary>', '');
    lines.push(
      `| symbol | n | ${r.models.map((m) => `QLIKE ${LABEL[m]}`).join(' | ')} | ${r.models.map((m) => `RMSE ${LABEL[m]}`).join(' | ')} |`,
    );
    lines.push(
      `| --- | ---: | ${r.models.map(() => '---:').join(' | ')} | ${r.models.map(() => '---:').join(' | ')} |`,
    );
    for (const s of r.symbols) {
      lines.push(
        `| ${s.symbol} | ${s.n} | ${r.models.map((m) => f4(s.scores[m]?.qlike)).join(' | ')} | ${r.models.map((m) => pct(s.scores[m]?.rmse ?? 0)).join(' | ')} |`,
      );
    }
    lines.push('', '</details>', '');
  });
  return lines.join('\n');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The same report as one HTML page with the charts inline. */
export function renderBacktestHtml(results: readonly BacktestResult[]): string {
  const md = renderBacktestMarkdown(results);
  const body: string[] = [];
  let table: string[] | null = null;
  const flush = () => {
    if (table) body.push(`<table>${table.join('')}</table>`);
    table = null;
  };
  let section = -1;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) {
      if (/^\|\s*-/.test(line)) continue;
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((c) => escapeHtml(c.trim()));
      const tag = table ? 'td' : 'th';
      table ??= [];
      table.push(`<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`);
      continue;
    }
    flush();
    if (line.startsWith('## ')) {
      section += 1;
      body.push(`<h2>${escapeHtml(line.slice(3))}</h2>`);
      if (results[section]) body.push(renderChartSvg(results[section]!));
    } else if (line.startsWith('# ')) body.push(`<h1>${escapeHtml(line.slice(2))}</h1>`);
    else if (line.startsWith('- ')) body.push(`<p>• ${escapeHtml(line.slice(2))}</p>`);
    else if (line.startsWith('<')) body.push(line);
    else if (line.trim())
      body.push(`<p>${escapeHtml(line).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')}</p>`);
  }
  flush();
  return `<!doctype html><html><head><meta charset="utf-8"><title>Volatility forecast backtest</title><style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}</style></head><body>${body.join('\n')}</body></html>\n`;
}
