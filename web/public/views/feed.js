// The live alerts feed: the newest alerts from the API, then each alert the stream publishes (SSE).
import { api, el, fmt } from '../dom.js';

const MAX_ITEMS = 60;

export function alertItem(alert, isNew = false) {
  return el(
    'li',
    { class: isNew ? 'alert new' : 'alert', 'data-testid': 'alert', 'data-symbol': alert.symbol },
    el('a', { href: `#/symbol/${encodeURIComponent(alert.symbol)}`, class: 'symbol' }, alert.symbol),
    ' ',
    el('span', { class: `rule ${alert.rule}` }, alert.rule),
    ' ',
    el('span', { class: 'muted' }, `${fmt.num(alert.observed_value, 3)} @ ${fmt.price(alert.close)}`),
    el('div', { class: 'muted small' }, fmt.time(alert.bar_start_at)),
  );
}

export async function startAlertFeed(list, state) {
  try {
    const { data } = await api('/api/v1/alerts?limit=30');
    list.replaceChildren(...data.map((a) => alertItem(a)));
  } catch (err) {
    state.textContent = `alerts unavailable: ${err.message}`;
  }
  const source = new EventSource('/api/v1/live/alerts');
  source.addEventListener('open', () => {
    state.textContent = 'live';
    state.dataset.state = 'live';
  });
  source.addEventListener('error', () => {
    state.textContent = 'reconnecting…';
    state.dataset.state = 'reconnecting';
  });
  source.addEventListener('alerts', (event) => {
    const alert = JSON.parse(event.data);
    list.prepend(alertItem(alert, true));
    while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
    window.dispatchEvent(new CustomEvent('marketlake:alert', { detail: alert }));
  });
}
