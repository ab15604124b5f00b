import { describe, expect, it } from 'vitest';
import { Quote, SentimentPost, SymbolRef, Trade } from '../../contracts/index.js';
import {
  DEFAULT_SYMBOLS,
  formatMicros,
  newYorkToUtcMicros,
  SeededRng,
  simulateMarket,
  usWeekdays,
} from '../../pipelines/simulator/index.js';

type Rec = Record<string, unknown>;

const RFC3339_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const utcMicros = (y: number, mo: number, d: number, h: number, mi: number): number =>
  Date.UTC(y, mo - 1, d, h, mi) * 1000;
/** Epoch microseconds of an RFC 3339 text with six fractional digits and Z. */
const micros = (s: string): number => Date.parse(`${s.slice(0, 19)}Z`) * 1000 + Number(s.slice(20, 26));
const isCents = (x: unknown): boolean => typeof x === 'number' && Math.round(x * 100) / 100 === x;

function failures(records: readonly Rec[], schema: { safeParse(x: unknown): { success: boolean } }): number {
  let failed = 0;
  for (const r of records) if (!schema.safeParse(r).success) failed++;
  return failed;
}

const market = simulateMarket();

describe('time helpers', () => {
  it('converts New York wall time to UTC across daylight saving time', () => {
    expect(newYorkToUtcMicros('2024-03-04', 9, 30)).toBe(utcMicros(2024, 3, 4, 14, 30)); // EST
    expect(newYorkToUtcMicros('2024-03-04', 16, 0)).toBe(utcMicros(2024, 3, 4, 21, 0));
    expect(newYorkToUtcMicros('2024-03-12', 9, 30)).toBe(utcMicros(2024, 3, 12, 13, 30)); // EDT
    expect(newYorkToUtcMicros('2024-11-04', 9, 30)).toBe(utcMicros(2024, 11, 4, 14, 30)); // back to EST
    expect(newYorkToUtcMicros('2024-03-12', 20, 0)).toBe(utcMicros(2024, 3, 13, 0, 0)); // next UTC day
  });

  it('formats epoch microseconds as RFC 3339 with six digits', () => {
    expect(formatMicros(utcMicros(2024, 3, 4, 14, 30) + 123_456)).toBe('2024-03-04T14:30:00.123456Z');
    expect(formatMicros(utcMicros(2024, 3, 4, 0, 0) + 7)).toBe('2024-03-04T00:00:00.000007Z');
    expect(formatMicros(utcMicros(2024, 12, 31, 23, 59) + 59_999_999)).toBe('2024-12-31T23:59:59.999999Z');
  });

  it('counts weekdays only: a Saturday start begins on Monday', () => {
    expect(usWeekdays('2024-03-09', 3)).toEqual(['2024-03-11', '2024-03-12', '2024-03-13']);
    expect(usWeekdays('2024-03-07', 3)).toEqual(['2024-03-07', '2024-03-08', '2024-03-11']);
    expect(simulateMarket({ startDate: '2024-03-09', days: 1, tradesPerSymbolDay: 10 }).tradingDays).toEqual([
      '2024-03-11',
    ]);
    expect(() => usWeekdays('2024-02-30', 1)).toThrow(RangeError);
  });
});

describe('SeededRng', () => {
  it('repeats a sequence for a seed and stays in range', () => {
    const a = new SeededRng(7);
    const b = new SeededRng(7);
    const xs = Array.from({ length: 1000 }, () => a.float());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.float()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    const ints = Array.from({ length: 1000 }, () => a.int(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
    expect(new SeededRng(8).float()).not.toBe(new SeededRng(7).float());
  });
});

describe('simulateMarket', () => {
  it('is deterministic for a seed and changes with the seed', () => {
    const options = { days: 2, tradesPerSymbolDay: 500, quotesPerSymbolDay: 500, badRecordRate: 0.02 };
    const a = JSON.stringify(simulateMarket(options));
    expect(JSON.stringify(simulateMarket(options))).toBe(a);
    expect(JSON.stringify(simulateMarket({ ...options, seed: 43 }))).not.toBe(a);
    expect(JSON.stringify(simulateMarket())).toBe(JSON.stringify(market));
  });

  it('produces the default volume: 2 weekdays x 10 symbols x ~10k trades and quotes', () => {
    expect(market.tradingDays).toEqual(['2024-03-04', '2024-03-05']);
    expect(market.trades.length).toBeGreaterThan(195_000);
    expect(market.trades.length).toBeLessThan(205_000);
    expect(market.quotes.length).toBeGreaterThan(195_000);
    expect(market.quotes.length).toBeLessThan(205_000);
    expect(market.posts.length).toBeGreaterThan(300);
    expect(market.badRecords).toEqual({ trades: 0, quotes: 0, posts: 0 });
    const extended = market.trades.filter((t) => (t.conditions as string[]).includes('T')).length;
    expect(extended / market.trades.length).toBeGreaterThan(0.025);
    expect(extended / market.trades.length).toBeLessThan(0.035);
  });

  it('emits records that all pass their contracts', () => {
    expect(market.symbolRefs).toHaveLength(DEFAULT_SYMBOLS.length);
    expect(failures(market.symbolRefs, SymbolRef)).toBe(0);
    expect(market.symbolRefs.every((r) => r.valid_from === '2024-03-04')).toBe(true);
    expect(failures(market.trades, Trade)).toBe(0);
    expect(failures(market.quotes, Quote)).toBe(0);
    expect(failures(market.posts, SentimentPost)).toBe(0);
    const tradeKeys = JSON.stringify(Object.keys(Trade.shape).sort());
    expect(market.trades.filter((t) => JSON.stringify(Object.keys(t).sort()) !== tradeKeys)).toEqual([]);
  });

  it('injects exactly the reported number of bad records, all refused by the contracts', () => {
    const options = { days: 2, tradesPerSymbolDay: 2000, quotesPerSymbolDay: 2000, postsPerSymbolDay: 60 };
    const clean = simulateMarket(options);
    const dirty = simulateMarket({ ...options, badRecordRate: 0.03 });
    for (const [name, schema] of [
      ['trades', Trade],
      ['quotes', Quote],
      ['posts', SentimentPost],
    ] as const) {
      const injected = dirty.badRecords[name];
      expect(injected).toBe(Math.round(0.03 * clean[name].length));
      expect(injected).toBeGreaterThan(10);
      expect(failures(dirty[name], schema)).toBe(injected);
      // Every record that differs from the clean run is a corrupted one, and it fails.
      let changed = 0;
      dirty[name].forEach((r, i) => {
        if (JSON.stringify(r) !== JSON.stringify(clean[name][i])) {
          changed++;
          expect(schema.safeParse(r).success).toBe(false);
        }
      });
      expect(changed).toBe(injected);
    }
    const dump = JSON.stringify(dirty.trades) + JSON.stringify(dirty.quotes);
    for (const marker of ['../etc/passwd', "AA'PL", '"2999-', '1970-01-01T00:00:00Z', '"abc"']) {
      expect(dump).toContain(marker);
    }
    expect(dirty.quotes.some((q) => (q.ask_price as number) < (q.bid_price as number))).toBe(true);
    expect(dirty.posts.some((p) => p.post_id === '')).toBe(true);
  });

  it('keeps trades in the session windows, in UTC, on both sides of the DST switch', () => {
    // Friday 2024-03-08 is EST, Monday 2024-03-11 is EDT.
    const m = simulateMarket({
      startDate: '2024-03-08',
      days: 2,
      tradesPerSymbolDay: 2000,
      quotesPerSymbolDay: 500,
    });
    expect(m.tradingDays).toEqual(['2024-03-08', '2024-03-11']);
    const windows = [
      {
        pre: utcMicros(2024, 3, 8, 9, 0),
        open: utcMicros(2024, 3, 8, 14, 30),
        close: utcMicros(2024, 3, 8, 21, 0),
      },
      {
        pre: utcMicros(2024, 3, 11, 8, 0),
        open: utcMicros(2024, 3, 11, 13, 30),
        close: utcMicros(2024, 3, 11, 20, 0),
      },
    ];
    const post = [utcMicros(2024, 3, 9, 1, 0), utcMicros(2024, 3, 12, 0, 0)];
    const regularPerDay = [0, 0];
    const bad: Rec[] = [];
    for (const t of m.trades) {
      const at = t.event_at as string;
      const us = micros(at);
      const day = (t.trade_id as string).startsWith('20240308') ? 0 : 1;
      const w = windows[day]!;
      const regular = us >= w.open && us < w.close;
      const ok =
        RFC3339_MICROS.test(at) &&
        us >= w.pre &&
        us < post[day]! &&
        (t.conditions as string[]).includes('T') === !regular;
      if (!ok) bad.push(t);
      if (regular) regularPerDay[day]!++;
    }
    expect(bad).toEqual([]);
    expect(regularPerDay[0]).toBeGreaterThan(15_000);
    expect(regularPerDay[1]).toBeGreaterThan(15_000);
  });

  it('quotes are cent-rounded with ask > bid, round lots and US venue codes', () => {
    const bad: Rec[] = [];
    for (const q of market.quotes) {
      const bid = q.bid_price as number;
      const ask = q.ask_price as number;
      const lots = [q.bid_size, q.ask_size].every((x) => {
        const size = x as number;
        return size % 100 === 0 && size >= 100 && size <= 5000;
      });
      const venues = [q.bid_exchange, q.ask_exchange].every(
        (v) => typeof v === 'string' && /^[QNPZKVD]$/.test(v),
      );
      const ok = isCents(bid) && isCents(ask) && bid > 0 && ask > bid && lots && venues;
      if (!ok || !RFC3339_MICROS.test(q.event_at as string)) bad.push(q);
    }
    expect(bad).toEqual([]);
    const spreadsBps = market.quotes.map(
      (q) => (((q.ask_price as number) - (q.bid_price as number)) / (q.bid_price as number)) * 1e4,
    );
    spreadsBps.sort((a, b) => a - b);
    const median = spreadsBps[Math.floor(spreadsBps.length / 2)]!;
    expect(median).toBeGreaterThan(0.3);
    expect(median).toBeLessThan(10);
  });

  it('prices trades in cents near the prevailing quote mid, sizes and conditions consistent', () => {
    const lastMid = new Map<string, { mid: number }>();
    const events = [
      ...market.quotes.map((q) => ({ kind: 'q', r: q })),
      ...market.trades.map((t) => ({ kind: 't', r: t })),
    ];
    events.sort((a, b) =>
      a.r.symbol === b.r.symbol
        ? (a.r.event_at as string).localeCompare(b.r.event_at as string)
        : (a.r.symbol as string).localeCompare(b.r.symbol as string),
    );
    let compared = 0;
    const bad: Rec[] = [];
    for (const { kind, r } of events) {
      if (kind === 'q') {
        lastMid.set(r.symbol as string, { mid: ((r.bid_price as number) + (r.ask_price as number)) / 2 });
        continue;
      }
      const price = r.price as number;
      const size = r.size as number;
      const conditions = r.conditions as string[];
      let ok = isCents(price) && price > 0 && Number.isInteger(size) && size > 0;
      ok &&= conditions[0] === '@' && conditions.includes('I') === size < 100;
      const q = lastMid.get(r.symbol as string);
      if (q && !conditions.includes('T')) {
        ok &&= Math.abs(price / q.mid - 1) < 0.005;
        compared++;
      }
      if (!ok) bad.push(r);
    }
    expect(bad).toEqual([]);
    expect(compared).toBeGreaterThan(150_000);
    const sizes = market.trades.map((t) => t.size as number);
    expect(sizes.some((s) => s < 100)).toBe(true);
    expect(sizes.some((s) => s >= 100 && s % 100 === 0)).toBe(true);
    expect(sizes.reduce((a, b) => Math.max(a, b), 0)).toBeGreaterThanOrEqual(5000); // heavy tail
  });

  it('orders each symbol in time and gives unique trade ids per symbol across days', () => {
    const ids = new Set<string>();
    const last = new Map<string, string>();
    let outOfOrder = 0;
    for (const t of market.trades) {
      ids.add(`${t.symbol}|${t.trade_id}`);
      const prev = last.get(t.symbol as string);
      if (prev !== undefined && (t.event_at as string) < prev) outOfOrder++;
      last.set(t.symbol as string, t.event_at as string);
    }
    expect(ids.size).toBe(market.trades.length);
    expect(outOfOrder).toBe(0);
    expect(new Set(market.posts.map((p) => p.post_id)).size).toBe(market.posts.length);
  });

  it('writes posts whose tone follows the day move and whose count follows its size', () => {
    const m = simulateMarket({
      days: 30,
      tradesPerSymbolDay: 50,
      quotesPerSymbolDay: 50,
      postsPerSymbolDay: 30,
    });
    // Daily return proxy: last trade of the day against the last trade of the previous day.
    const close = new Map<string, number>();
    for (const t of m.trades)
      close.set(`${t.symbol}|${(t.trade_id as string).slice(0, 8)}`, t.price as number);
    const agree = { yes: 0, no: 0 };
    const counts: { move: number; posts: number }[] = [];
    for (const spec of DEFAULT_SYMBOLS) {
      m.tradingDays.forEach((day, i) => {
        const prevDay = m.tradingDays[i - 1];
        const today = close.get(`${spec.symbol}|${day.replaceAll('-', '')}`);
        const before = prevDay ? close.get(`${spec.symbol}|${prevDay.replaceAll('-', '')}`) : spec.startPrice;
        if (today === undefined || before === undefined) return;
        const ret = Math.log(today / before);
        const posts = m.posts.filter(
          (p) => (p.cashtags as string[])[0] === spec.symbol && (p.created_at as string).startsWith(day),
        );
        for (const p of posts) expect(p.body as string).toContain(`$${spec.symbol}`);
        const net = posts.reduce((s, p) => {
          const text = p.body as string;
          return (
            s +
            (/bullish|new highs|clearly up|adding to/.test(text)
              ? 1
              : /bearish|new lows|clearly down|trimming/.test(text)
                ? -1
                : 0)
          );
        }, 0);
        if (net !== 0 && Math.abs(ret) > 0.01) agree[Math.sign(net) === Math.sign(ret) ? 'yes' : 'no']++;
        counts.push({ move: Math.abs(ret), posts: posts.length });
      });
    }
    expect(agree.yes).toBeGreaterThan(4 * agree.no);
    counts.sort((a, b) => a.move - b.move);
    const half = Math.floor(counts.length / 2);
    const avg = (xs: { posts: number }[]): number => xs.reduce((s, x) => s + x.posts, 0) / xs.length;
    expect(avg(counts.slice(half))).toBeGreaterThan(1.3 * avg(counts.slice(0, half)));
  });
});
