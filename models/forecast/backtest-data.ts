import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DailyObservation } from './forecaster.js';

/** One symbol's daily series for a backtest. */
export interface BacktestSeries {
  symbol: string;
  observations: DailyObservation[];
  /** Bars left out as bad prints (see plausibleBar). */
  dropped: number;
}

/** Widest daily range kept: ln(H/L) = 0.4 is a 49% intraday range, beyond any day of these names. */
export const MAX_LOG_RANGE = 0.4;

/**
 * A bar fit to measure volatility: positive prices, open and close inside [low, high], and a range
 * under MAX_LOG_RANGE. Vendor daily files hold a few bad prints (AlgoSeek GOOG has a day whose
 * high is 600 times its low) that would otherwise decide every loss average.
 */
export function plausibleBar(open: number, high: number, low: number, close: number): boolean {
  return (
    open > 0 &&
    close > 0 &&
    low > 0 &&
    low <= Math.min(open, close) &&
    high >= Math.max(open, close) &&
    Math.log(high / low) <= MAX_LOG_RANGE
  );
}

/**
 * Realized variance of a day from daily data: Parkinson's (1980) range estimator
 * ln(H/L)² / (4 ln 2). The real sets only have daily bars, where the squared close-to-close
 * return is a far noisier proxy; the range is also unaffected by unadjusted splits (AlgoSeek's
 * prices are raw), since H and L are from the same day.
 */
export function parkinsonVariance(high: number, low: number): number {
  return Math.log(high / low) ** 2 / (4 * Math.LN2);
}

/** Files of a .tar.gz (ustar), by name. */
function untar(gz: Buffer): Map<string, Buffer> {
  const tar = gunzipSync(gz);
  const files = new Map<string, Buffer>();
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (!name) break;
    const size = Number.parseInt(
      header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0',
      8,
    );
    const type = String.fromCharCode(header[156]!);
    if (type === '0' || type === '\0') files.set(name, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

const nyDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

interface Tweet {
  query_symbol: string;
  id_str: string;
  created_at: string;
  text: string;
  file_date: string;
}

/**
 * StockNet (../shared/data/social-sentiment/stocknet): Yahoo daily prices of each symbol with the
 * tweets about it, scored by `score`. A tweet counts for the symbol it was collected under (once
 * per symbol, by id) on its New York date; days inside the tweet collection's span without tweets
 * have 0 posts, days outside it have no sentiment at all.
 */
export function loadStockNet(dir: string, score: (text: string) => number): BacktestSeries[] {
  const prices = untar(readFileSync(join(dir, 'price_raw.tar.gz')));
  const lines = gunzipSync(readFileSync(join(dir, 'tweets_raw_slim_2014-01-01_2015-06-30.jsonl.gz')))
    .toString('utf8')
    .split('\n');
  const daily = new Map<string, { sum: number; posts: number }>();
  const seen = new Set<string>();
  let first = '9999-12-31';
  let last = '0000-01-01';
  for (const line of lines) {
    if (!line) continue;
    const t = JSON.parse(line) as Tweet;
    if (t.file_date < first) first = t.file_date;
    if (t.file_date > last) last = t.file_date;
    const id = `${t.query_symbol}|${t.id_str}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const key = `${t.query_symbol}|${nyDate.format(new Date(Date.parse(t.created_at)))}`;
    const day = daily.get(key) ?? { sum: 0, posts: 0 };
    day.sum += score(t.text);
    day.posts += 1;
    daily.set(key, day);
  }
  const series: BacktestSeries[] = [];
  for (const [name, bytes] of [...prices].sort(([a], [b]) => a.localeCompare(b))) {
    const m = /([A-Z0-9.-]+)\.csv$/.exec(name);
    if (!m) continue;
    const symbol = m[1]!;
    const observations: DailyObservation[] = [];
    let dropped = 0;
    for (const row of bytes.toString('utf8').split('\n').slice(1)) {
      const [date, open, high, low, close] = row.split(',');
      if (!date) continue;
      const h = Number(high);
      const l = Number(low);
      if (!plausibleBar(Number(open), h, l, Number(close))) {
        dropped += 1;
        continue;
      }
      const day = daily.get(`${symbol}|${date}`);
      const inSpan = date >= first && date <= last;
      observations.push({
        date,
        variance: parkinsonVariance(h, l),
        sentiment: inSpan ? { mean: day ? day.sum / day.posts : 0, posts: day?.posts ?? 0 } : null,
      });
    }
    if (observations.some((o) => o.sentiment && o.sentiment.posts > 0))
      series.push({ symbol, observations, dropped });
  }
  return series;
}

/**
 * AlgoSeek daily bars (../shared/data/us-equity-ticks-algoseek/daily_bars): `YYYYMMDD 00:00,o,h,l,c,v`
 * in deci-cents, raw prices. A gap of more than 30 days starts the series again (fb.csv holds two
 * companies under one ticker): only the last stretch is kept. No posts: sentiment is null.
 */
export function loadAlgoSeekDaily(dir: string): BacktestSeries[] {
  const series: BacktestSeries[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.csv.gz'))
    .sort()) {
    const rows = gunzipSync(readFileSync(join(dir, file)))
      .toString('utf8')
      .split('\n');
    let observations: DailyObservation[] = [];
    let previous = 0;
    let dropped = 0;
    for (const row of rows) {
      const [stamp, open, high, low, close] = row.split(',');
      if (!stamp) continue;
      const date = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}`;
      const h = Number(high);
      const l = Number(low);
      if (!plausibleBar(Number(open), h, l, Number(close))) {
        dropped += 1;
        continue;
      }
      const day = Date.parse(date) / 86_400_000;
      if (previous && day - previous > 30) observations = [];
      previous = day;
      observations.push({ date, variance: parkinsonVariance(h, l), sentiment: null });
    }
    series.push({ symbol: file.replace(/\.csv\.gz$/, '').toUpperCase(), observations, dropped });
  }
  return series;
}
