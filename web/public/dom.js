// DOM helpers: every text from data goes in through textContent or attributes, never as HTML.

/**
 * Create an element. `attrs`: attributes (`class`, `href`, `data-*`, ...) and `on*` listeners;
 * children: nodes or strings (strings become text nodes).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A sparkline of `values` as an SVG polyline (no labels). */
export function sparkline(values, width = 120, height = 28) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'sparkline');
  const points = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (points.length < 2) return svg;
  const min = Math.min(...points);
  const max = Math.max(...points);
  const span = max - min || 1;
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute(
    'points',
    points
      .map(
        (v, i) =>
          `${((i / (points.length - 1)) * (width - 2) + 1).toFixed(1)},${(height - 1 - ((v - min) / span) * (height - 2)).toFixed(1)}`,
      )
      .join(' '),
  );
  line.setAttribute('class', points[points.length - 1] >= points[0] ? 'up' : 'down');
  svg.append(line);
  return svg;
}

export const fmt = {
  price: (v) =>
    typeof v === 'number'
      ? v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })
      : '–',
  int: (v) => (typeof v === 'number' ? Math.round(v).toLocaleString('en-US') : '–'),
  pct: (v) => (typeof v === 'number' ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}%` : '–'),
  vol: (v) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : '–'),
  signed: (v) => (typeof v === 'number' ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '–'),
  num: (v, digits = 4) => (typeof v === 'number' ? v.toFixed(digits) : '–'),
  time: (iso) =>
    iso
      ? String(iso)
          .replace('T', ' ')
          .replace(/(\.\d+)?Z$/, ' UTC')
      : '–',
  ms: (ms) =>
    typeof ms !== 'number' || !Number.isFinite(ms)
      ? '–'
      : ms < 1000
        ? `${Math.round(ms)} ms`
        : `${(ms / 1000).toFixed(1)} s`,
};

/** GET a JSON API path; throws with the server's message on a non-2xx answer. */
export async function api(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message ?? `${res.status} ${res.statusText}`);
  return body;
}
