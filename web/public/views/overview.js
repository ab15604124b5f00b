// Market overview: one row per symbol (last, change, volume, realized volatility, sparkline), with
// the last price updated live from the stream's 1-minute bars.
import { api, el, fmt, sparkline } from '../dom.js';

export async function overviewView(main) {
  const [summary, symbols] = await Promise.all([api('/api/v1/market-summary'), api('/api/v1/symbols')]);
  const names = new Map(symbols.data.map((s) => [s.symbol, s.name]));
  const lastCells = new Map();
  const rows = summary.data.map((r) => {
    const last = el('td', { class: 'num', 'data-field': 'last' }, fmt.price(r.last));
    lastCells.set(r.symbol, last);
    const tone = typeof r.change === 'number' ? (r.change >= 0 ? 'up' : 'down') : '';
    return el(
      'tr',
      { 'data-symbol': r.symbol },
      el(
        'td',
        {},
        el('a', { href: `#/symbol/${encodeURIComponent(r.symbol)}`, 'data-testid': 'symbol-link' }, r.symbol),
      ),
      el('td', { class: 'muted' }, names.get(r.symbol) ?? ''),
      last,
      el('td', { class: `num ${tone}` }, fmt.signed(r.change)),
      el('td', { class: `num ${tone}` }, fmt.pct(r.change_pct)),
      el('td', { class: 'num' }, fmt.int(r.volume)),
      el('td', { class: 'num' }, fmt.vol(r.realized_vol)),
      el('td', {}, sparkline(r.sparkline ?? [])),
    );
  });
  main.append(
    el('h1', {}, 'Market overview'),
    el('p', { class: 'muted' }, `Session ${summary.session_date ?? '–'} · gold read from ${summary.source}`),
    summary.data.length
      ? el(
          'table',
          { class: 'grid', 'data-testid': 'overview' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...['Symbol', 'Name', 'Last', 'Change', 'Change %', 'Volume', 'Realized vol', 'Session'].map(
                (h) => el('th', {}, h),
              ),
            ),
          ),
          el('tbody', {}, rows),
        )
      : el('p', {}, 'No sessions in gold.fact_daily_market yet: run `marketlake demo` or `marketlake run`.'),
  );
  const live = new EventSource('/api/v1/live/bars');
  live.addEventListener('bars', (event) => {
    const bar = JSON.parse(event.data);
    const cell = lastCells.get(bar.symbol);
    if (!cell || typeof bar.close !== 'number') return;
    cell.textContent = fmt.price(bar.close);
    cell.classList.add('flash');
    setTimeout(() => cell.classList.remove('flash'), 600);
  });
  return () => live.close();
}
