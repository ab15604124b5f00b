import { injectBadRecords } from './bad-records.js';
import { QUOTE_VENUES, quoteSize, TRADE_VENUES, tradeSize, venueWeights } from './microstructure.js';
import {
  formatMicros,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  newYorkToUtcMicros,
  parseDay,
  usWeekdays,
} from './ny-time.js';
import { type DayMove, generatePosts } from './posts.js';
import { SeededRng } from './rng.js';
import { DEFAULT_SYMBOLS, type SymbolSpec } from './symbols.js';

/** Knobs of {@link simulateMarket}; every field is optional. */
export interface SimulationOptions {
  /** Seed of all random streams (32-bit integer), default 42. */
  seed?: number;
  /** `YYYY-MM-DD`, default `2024-03-04`; the simulation covers `days` weekdays on or after it. */
  startDate?: string;
  /** Number of US weekdays to simulate, default 2. */
  days?: number;
  /** Universe, default {@link DEFAULT_SYMBOLS}. */
  symbols?: readonly SymbolSpec[];
  /** Mean number of trades per symbol and day, default 10 000. */
  tradesPerSymbolDay?: number;
  /** Mean number of quotes per symbol and day, default 10 000. */
  quotesPerSymbolDay?: number;
  /** Mean number of social posts per symbol and day, default 30 (scaled by the size of the day's move). */
  postsPerSymbolDay?: number;
  /** Share of trades and quotes in 04:00-09:30 and 16:00-20:00 New York time, default 0.03. */
  extendedHoursShare?: number;
  /** Fraction of each dataset's records replaced by corrupted records the contract refuses, default 0. */
  badRecordRate?: number;
}

/** Output of {@link simulateMarket}: plain records in the shapes of the contracts. */
export interface SimulatedMarket {
  /** The weekdays simulated, `YYYY-MM-DD`. */
  tradingDays: string[];
  /** SymbolRef records, `valid_from` = first simulated day. */
  symbolRefs: Record<string, unknown>[];
  /** Trade records ordered by (symbol order, event time). */
  trades: Record<string, unknown>[];
  /** Quote records ordered by (symbol order, event time). */
  quotes: Record<string, unknown>[];
  /** SentimentPost records ordered by `created_at`. */
  posts: Record<string, unknown>[];
  /** How many corrupted records were injected per dataset. */
  badRecords: { trades: number; quotes: number; posts: number };
}

/** One year on the trading clock: 252 days of 6.5 regular hours, in microseconds. */
const YEAR_MICROS = 252 * 6.5 * MICROS_PER_HOUR;
/**
 * Weight of wall-clock time outside the regular session (extended hours, nights, weekends) on the
 * trading clock that drives the GBM: overnight then carries about a fifth of close-to-close variance.
 */
export const OFF_HOURS_WEIGHT = 0.1;

interface Session {
  date: string;
  compact: string;
  preOpen: number;
  open: number;
  close: number;
  postClose: number;
}

export interface Resolved {
  seed: number;
  symbols: readonly SymbolSpec[];
  trades: number;
  quotes: number;
  posts: number;
  extShare: number;
  badRate: number;
}

/** One simulated record: a trade or a quote, in its contract's shape. */
export type SimulatedEvent = { dataset: 'trades' | 'quotes'; record: Record<string, unknown> };

/** Simulate one symbol over all sessions: yields its trades and quotes in time order, returns the daily moves. */
function* simulateSymbol(
  spec: SymbolSpec,
  sessions: readonly Session[],
  o: Resolved,
): Generator<SimulatedEvent, DayMove[]> {
  const rng = SeededRng.derive(o.seed, 'events', spec.symbol);
  const { symbol, tape } = spec;
  const sigma = spec.annualVolatility;
  const driftPerYear = spec.annualDrift - (sigma * sigma) / 2;
  const baseSpreadBps = 0.5 + 3 * sigma;
  const quoteRegW = venueWeights(spec, false, false);
  const quoteExtW = venueWeights(spec, true, false);
  const tradeRegW = venueWeights(spec, false, true);
  const tradeExtW = venueWeights(spec, true, true);
  const tradeShare = o.trades + o.quotes > 0 ? o.trades / (o.trades + o.quotes) : 0;
  const perDay = o.trades + o.quotes;

  let mid = spec.startPrice;
  let tau = 0; // trading-clock position of `mid`, microseconds
  let spreadCents = Math.max(1, Math.round(mid * baseSpreadBps * 0.01));
  let lastMark = sessions[0]?.preOpen ?? 0;
  const stepTo = (target: number): void => {
    const dt = (target - tau) / YEAR_MICROS;
    if (dt > 0) mid *= Math.exp(driftPerYear * dt + sigma * Math.sqrt(dt) * rng.normal());
    tau = target;
  };

  const moves: DayMove[] = [];
  for (const s of sessions) {
    const refMid = mid;
    const refTau = tau;
    stepTo(tau + OFF_HOURS_WEIGHT * (s.preOpen - lastMark)); // overnight (and weekend) gap
    let seq = 0;
    const idBase = Number(s.compact) * 1e8; // trade_id = YYYYMMDD then an 8-digit sequence
    const extMicros = s.open - s.preOpen + (s.postClose - s.close);
    const segments = [
      { from: s.preOpen, to: s.open, weight: OFF_HOURS_WEIGHT, extended: true },
      { from: s.open, to: s.close, weight: 1, extended: false },
      { from: s.close, to: s.postClose, weight: OFF_HOURS_WEIGHT, extended: true },
    ];
    for (const seg of segments) {
      const share = seg.extended ? o.extShare / extMicros : (1 - o.extShare) / (s.close - s.open);
      const rate = perDay * share; // events per microsecond
      const tau0 = tau;
      const conditionsQuote = seg.extended ? [] : ['R'];
      let t = seg.from;
      while (rate > 0) {
        t += rng.exponential(rate);
        if (t >= seg.to) break;
        const at = Math.floor(t);
        stepTo(tau0 + seg.weight * (at - seg.from));
        const midCents = mid * 100;
        const isTrade = rng.float() < tradeShare;
        if (!isTrade) {
          const factor = Math.exp(0.3 * rng.normal()) * (seg.extended ? 4 : 1);
          spreadCents = Math.max(1, Math.round(midCents * baseSpreadBps * 1e-4 * factor));
        }
        const bidCents = Math.max(1, Math.round(midCents - spreadCents / 2));
        const askCents = bidCents + spreadCents;
        if (isTrade) {
          let priceCents: number;
          let exchange: string;
          if (spreadCents >= 2 && rng.chance(0.12)) {
            priceCents = bidCents + rng.int(1, spreadCents - 1); // inside the spread, off-exchange
            exchange = 'D';
          } else {
            priceCents = rng.chance(0.5) ? askCents : bidCents;
            exchange = rng.weighted(TRADE_VENUES, seg.extended ? tradeExtW : tradeRegW);
          }
          const size = tradeSize(rng);
          const conditions = ['@'];
          if (seg.extended) conditions.push('T');
          if (size < 100) conditions.push('I');
          seq++;
          yield {
            dataset: 'trades',
            record: {
              symbol,
              event_at: formatMicros(at),
              price: priceCents / 100,
              size,
              exchange,
              trade_id: String(idBase + seq),
              conditions,
              tape,
              source: 'simulator',
            },
          };
        } else {
          const venueW = seg.extended ? quoteExtW : quoteRegW;
          yield {
            dataset: 'quotes',
            record: {
              symbol,
              event_at: formatMicros(at),
              bid_price: bidCents / 100,
              bid_size: quoteSize(rng),
              ask_price: askCents / 100,
              ask_size: quoteSize(rng),
              bid_exchange: rng.weighted(QUOTE_VENUES, venueW),
              ask_exchange: rng.weighted(QUOTE_VENUES, venueW),
              conditions: [...conditionsQuote],
              tape,
              source: 'simulator',
            },
          };
        }
      }
      stepTo(tau0 + seg.weight * (seg.to - seg.from));
    }
    lastMark = s.postClose;
    const logReturn = Math.log(mid / refMid);
    const spanYears = (tau - refTau) / YEAR_MICROS;
    moves.push({
      date: s.date,
      compact: s.compact,
      utcMidnight: parseDay(s.date) * MICROS_PER_DAY,
      logReturn,
      zScore: spanYears > 0 ? logReturn / (sigma * Math.sqrt(spanYears)) : 0,
    });
  }
  return moves;
}

function resolveOptions(options: SimulationOptions): Resolved & { startDate: string; days: number } {
  const o = {
    seed: options.seed ?? 42,
    startDate: options.startDate ?? '2024-03-04',
    days: options.days ?? 2,
    symbols: options.symbols ?? DEFAULT_SYMBOLS,
    trades: options.tradesPerSymbolDay ?? 10_000,
    quotes: options.quotesPerSymbolDay ?? 10_000,
    posts: options.postsPerSymbolDay ?? 30,
    extShare: options.extendedHoursShare ?? 0.03,
    badRate: options.badRecordRate ?? 0,
  };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new RangeError(`simulateMarket: ${what}`);
  };
  check(Number.isInteger(o.seed), 'seed must be an integer');
  check(Number.isInteger(o.days) && o.days >= 0, 'days must be a non-negative integer');
  for (const [k, v] of [
    ['tradesPerSymbolDay', o.trades],
    ['quotesPerSymbolDay', o.quotes],
    ['postsPerSymbolDay', o.posts],
  ] as const) {
    check(Number.isFinite(v) && v >= 0, `${k} must be a finite number >= 0`);
  }
  check(o.extShare >= 0 && o.extShare < 1, 'extendedHoursShare must be in [0, 1)');
  check(o.badRate >= 0 && o.badRate <= 1, 'badRecordRate must be in [0, 1]');
  const seen = new Set<string>();
  for (const s of o.symbols) {
    check(!seen.has(s.symbol), `duplicate symbol ${s.symbol}`);
    check(
      s.startPrice > 0 && s.annualVolatility >= 0,
      `${s.symbol}: startPrice must be > 0, volatility >= 0`,
    );
    seen.add(s.symbol);
  }
  return o;
}

/**
 * Simulate trades, quotes and social posts for a universe of US stocks over `days` weekdays.
 * Pure and deterministic: the same options give the same output (JSON-identical); the records are
 * plain objects in the Trade, Quote, SentimentPost and SymbolRef contract shapes.
 */
export function simulateMarket(options: SimulationOptions = {}): SimulatedMarket {
  const plan = planMarket(options);
  const trades: Record<string, unknown>[] = [];
  const quotes: Record<string, unknown>[] = [];
  const posts = plan.posts((sink) => {
    for (const e of sink) (e.dataset === 'trades' ? trades : quotes).push(e.record);
  });
  const o = plan.resolved;
  const badRecords = {
    trades: injectBadRecords('trades', trades, o.badRate, o.seed),
    quotes: injectBadRecords('quotes', quotes, o.badRate, o.seed),
    posts: injectBadRecords('posts', posts, o.badRate, o.seed),
  };
  return { tradingDays: plan.tradingDays, symbolRefs: plan.symbolRefs, trades, quotes, posts, badRecords };
}

/** A resolved simulation: its days and references, and a way to run it event by event. */
export interface MarketPlan {
  resolved: Resolved;
  tradingDays: string[];
  symbolRefs: Record<string, unknown>[];
  /**
   * Run the simulation: `consume` gets each symbol's events (trades and quotes in time order, the
   * symbols in universe order) as an iterator it must drain; returns the posts, sorted by time.
   */
  posts(consume: (events: Iterable<SimulatedEvent>) => void): Record<string, unknown>[];
}

/** Resolve the options of {@link simulateMarket} into a plan that can also be run in bounded memory. */
export function planMarket(options: SimulationOptions = {}): MarketPlan {
  const o = resolveOptions(options);
  const tradingDays = usWeekdays(o.startDate, o.days);
  const sessions: Session[] = tradingDays.map((date) => ({
    date,
    compact: date.replaceAll('-', ''),
    preOpen: newYorkToUtcMicros(date, 4, 0),
    open: newYorkToUtcMicros(date, 9, 30),
    close: newYorkToUtcMicros(date, 16, 0),
    postClose: newYorkToUtcMicros(date, 20, 0),
  }));
  const validFrom = tradingDays[0] ?? o.startDate;
  const symbolRefs = o.symbols.map((s) => ({
    symbol: s.symbol,
    name: s.name,
    exchange: s.exchange,
    asset_class: s.asset_class,
    sector: s.sector,
    industry: s.industry,
    valid_from: validFrom,
  }));
  return {
    resolved: o,
    tradingDays,
    symbolRefs,
    posts(consume) {
      const posts: Record<string, unknown>[] = [];
      for (const spec of o.symbols) {
        const events = simulateSymbol(spec, sessions, o);
        let moves: DayMove[] | undefined;
        // Drain through a wrapper that keeps the generator's return value (the daily moves).
        consume({
          *[Symbol.iterator]() {
            for (;;) {
              const step = events.next();
              if (step.done) {
                moves = step.value;
                return;
              }
              yield step.value;
            }
          },
        });
        if (!moves) throw new Error("simulateMarket: a symbol's events were not drained");
        generatePosts(spec, o.symbols, moves, o.posts, o.seed, posts);
      }
      // Same-format UTC strings sort chronologically; the stable sort keeps symbol order on ties.
      posts.sort((a, b) =>
        (a.created_at as string) < (b.created_at as string) ? -1 : a.created_at === b.created_at ? 0 : 1,
      );
      return posts;
    },
  };
}
