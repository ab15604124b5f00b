// Symbol page: candlesticks with volume and a VWAP line, interval switch, date range, the symbol's
// alerts marked on the chart, live 1-minute bars, and recent posts (shown as text).
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  LineSeries,
} from '/vendor/lightweight-charts/lightweight-charts.standalone.production.mjs';
import { api, el, fmt } from '../dom.js';

const INTERVALS = ['1m', '5m', '15m', '1h', '1d'];
const PAGE = 5000;
const toTime = (iso) => Math.floor(Date.parse(iso) / 1000);
const RULE_LABELS = { price_move_1m: 'move', volume_spike: 'vol', high_low_swing_1m: 'swing' };

/** Every bar of the range, page after page (cursor pagination). */
async function fetchBars(symbol, interval, from, to) {
  const bars = [];
  let cursor = null;
  do {
    const q = new URLSearchParams({ interval, from, to, limit: String(PAGE) });
    if (cursor) q.set('cursor', cursor);
    const page = await api(`/api/v1/bars/${encodeURIComponent(symbol)}?${q}`);
    bars.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return bars;
}

/** The running VWAP of each session: sum(vwap x volume) / sum(volume) from the session's first bar. */
function sessionVwap(bars) {
  const out = [];
  let session = null;
  let pv = 0;
  let v = 0;
  for (const b of bars) {
    if (b.session_date !== session) {
      session = b.session_date;
      pv = 0;
      v = 0;
    }
    if (typeof b.vwap === 'number' && b.volume > 0) {
      pv += b.vwap * b.volume;
      v += b.volume;
    }
    if (v > 0) out.push({ time: toTime(b.bar_start_at), value: pv / v });
  }
  return out;
}

/** The bar (time) an alert falls in: the last bar starting at or before it. */
function barTimeOf(times, t) {
  let lo = 0;
  let hi = times.length - 1;
  let found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) {
      found = times[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export async function symbolView(main, symbol) {
  const summary = await api('/api/v1/market-summary');
  const session = summary.session_date ?? new Date().toISOString().slice(0, 10);
  const state = { interval: '1m', from: session, to: session };
  const intervalSelect = el(
    'select',
    { 'data-testid': 'interval' },
    ...INTERVALS.map((i) => el('option', { value: i }, i)),
  );
  const fromInput = el('input', { type: 'date', value: state.from, 'data-testid': 'from' });
  const toInput = el('input', { type: 'date', value: state.to, 'data-testid': 'to' });
  const count = el('span', { class: 'muted', 'data-testid': 'bar-count' }, '');
  const chartBox = el('div', { class: 'chart', 'data-testid': 'chart' });
  const quote = el('p', { class: 'muted', 'data-testid': 'quote' }, '');
  const posts = el('ol', { class: 'posts', 'data-testid': 'posts' });
  main.append(
    el('h1', {}, symbol),
    quote,
    el(
      'form',
      { class: 'controls', onsubmit: (e) => e.preventDefault() },
      el('label', {}, 'Interval ', intervalSelect),
      el('label', {}, 'From ', fromInput),
      el('label', {}, 'To ', toInput),
      count,
    ),
    chartBox,
    el('h2', {}, 'Recent posts'),
    posts,
  );

  const chart = createChart(chartBox, {
    autoSize: true,
    layout: { background: { color: '#ffffff' }, textColor: '#222' },
    timeScale: { timeVisible: true, secondsVisible: false },
    grid: { vertLines: { color: '#eee' }, horzLines: { color: '#eee' } },
  });
  const candles = chart.addSeries(CandlestickSeries, {});
  const volume = chart.addSeries(HistogramSeries, {
    priceScaleId: '',
    priceFormat: { type: 'volume' },
    color: '#9db4d0',
  });
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  const vwap = chart.addSeries(LineSeries, {
    color: '#e08a00',
    lineWidth: 2,
    priceLineVisible: false,
    lastValueVisible: false,
  });
  const markers = createSeriesMarkers(candles, []);
  let times = [];

  async function load() {
    count.textContent = 'loading…';
    const [bars, alerts] = await Promise.all([
      fetchBars(symbol, state.interval, state.from, state.to),
      api(
        `/api/v1/alerts?${new URLSearchParams({ symbol, since: `${state.from}T00:00:00Z`, limit: '1000' })}`,
      ),
    ]);
    const priced = bars.filter((b) => typeof b.open === 'number');
    candles.setData(
      priced.map((b) => ({
        time: toTime(b.bar_start_at),
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
      })),
    );
    volume.setData(
      bars.map((b) => ({
        time: toTime(b.bar_start_at),
        value: b.volume,
        color: b.close >= b.open ? '#9bd3ae' : '#f0a9a9',
      })),
    );
    vwap.setData(sessionVwap(bars));
    times = priced.map((b) => toTime(b.bar_start_at));
    const marks = [];
    for (const a of alerts.data) {
      const time = barTimeOf(times, toTime(a.bar_start_at));
      if (time === null || a.session_date > state.to) continue;
      marks.push({
        time,
        position: 'aboveBar',
        color: '#c0392b',
        shape: 'arrowDown',
        text: RULE_LABELS[a.rule] ?? a.rule,
      });
    }
    marks.sort((x, y) => x.time - y.time);
    markers.setMarkers(marks);
    chart.timeScale().fitContent();
    const drawn = candles.data().length;
    chartBox.dataset.candles = String(drawn);
    chartBox.dataset.markers = String(marks.length);
    count.textContent = `${drawn} bars · ${marks.length} alerts`;
  }

  intervalSelect.addEventListener('change', () => {
    state.interval = intervalSelect.value;
    load().catch(showError);
  });
  for (const input of [fromInput, toInput]) {
    input.addEventListener('change', () => {
      if (!fromInput.value || !toInput.value) return;
      state.from = fromInput.value;
      state.to = toInput.value;
      load().catch(showError);
    });
  }
  function showError(err) {
    count.textContent = `error: ${err.message}`;
  }

  await load();
  api(`/api/v1/quotes/${encodeURIComponent(symbol)}/latest`)
    .then((q) => {
      quote.textContent = `Latest quote ${fmt.price(q.bid_price)} × ${fmt.price(q.ask_price)} (${fmt.num(q.spread_bps, 1)} bps) at ${fmt.time(q.event_at)}`;
    })
    .catch(() => {
      quote.textContent = 'No quotes';
    });
  api(`/api/v1/posts/${encodeURIComponent(symbol)}?limit=10`)
    .then(({ data }) => {
      posts.replaceChildren(
        ...data.map((p) =>
          el(
            'li',
            { 'data-testid': 'post' },
            el(
              'div',
              {},
              el('strong', {}, p.title ?? ''),
              ' ',
              el(
                'span',
                { class: `muted ${p.sentiment_label ?? ''}` },
                `${p.sentiment_label ?? ''} ${fmt.num(p.sentiment_score, 2)}`,
              ),
            ),
            el('div', { class: 'post-body' }, p.body ?? ''),
            el(
              'div',
              { class: 'muted small' },
              `${p.source} · ${p.author ?? ''} · ${fmt.time(p.created_at)}`,
            ),
          ),
        ),
      );
    })
    .catch(() => undefined);

  // Live: the stream's 1-minute bars update the chart while it shows 1m bars up to today.
  const live = new EventSource(`/api/v1/live/bars?symbol=${encodeURIComponent(symbol)}`);
  live.addEventListener('bars', (event) => {
    const bar = JSON.parse(event.data);
    if (state.interval !== '1m' || typeof bar.open !== 'number') return;
    const time = toTime(bar.bar_start_at);
    if (times.length && time < times[times.length - 1]) return;
    candles.update({ time, open: bar.open, high: bar.high, low: bar.low, close: bar.close });
    volume.update({ time, value: bar.volume, color: bar.close >= bar.open ? '#9bd3ae' : '#f0a9a9' });
    if (times[times.length - 1] !== time) times.push(time);
    chartBox.dataset.candles = String(candles.data().length);
  });
  return () => {
    live.close();
    chart.remove();
  };
}
