// Alerts page: the alerts of gold.fact_alerts filtered by symbol and rule.
import { api, el, fmt } from '../dom.js';

const RULES = ['', 'price_move_1m', 'volume_spike', 'high_low_swing_1m'];

export async function alertsView(main) {
  const symbol = el('input', { placeholder: 'symbol (all)', size: 10 });
  const rule = el('select', {}, ...RULES.map((r) => el('option', { value: r }, r || 'any rule')));
  const body = el('tbody');
  const note = el('p', { class: 'muted' });
  async function load() {
    const q = new URLSearchParams({ limit: '200' });
    if (symbol.value.trim()) q.set('symbol', symbol.value.trim());
    if (rule.value) q.set('kind', rule.value);
    try {
      const { data } = await api(`/api/v1/alerts?${q}`);
      note.textContent = `${data.length} alerts (newest first)`;
      body.replaceChildren(
        ...data.map((a) =>
          el(
            'tr',
            {},
            el('td', {}, fmt.time(a.bar_start_at)),
            el('td', {}, el('a', { href: `#/symbol/${encodeURIComponent(a.symbol)}` }, a.symbol)),
            el('td', {}, a.rule),
            el('td', { class: 'num' }, fmt.num(a.observed_value, 4)),
            el('td', { class: 'num' }, fmt.num(a.threshold, 2)),
            el('td', { class: 'num' }, fmt.price(a.close)),
            el('td', { class: 'num' }, fmt.int(a.volume)),
          ),
        ),
      );
    } catch (err) {
      note.textContent = `error: ${err.message}`;
    }
  }
  main.append(
    el('h1', {}, 'Alerts'),
    el(
      'form',
      {
        class: 'controls',
        onsubmit: (e) => {
          e.preventDefault();
          load();
        },
      },
      symbol,
      rule,
      el('button', { type: 'submit' }, 'Filter'),
    ),
    note,
    el(
      'table',
      { class: 'grid' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['Bar (UTC)', 'Symbol', 'Rule', 'Observed', 'Threshold', 'Close', 'Volume'].map((h) =>
            el('th', {}, h),
          ),
        ),
      ),
      body,
    ),
  );
  await load();
}
