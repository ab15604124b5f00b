import { QUOTE_VENUES, quoteSize, TRADE_VENUES, tradeSize, venueWeights } from './microstructure.js';
import { formatDay, formatMicros, newYorkToUtcMicros, weekdayOf } from './ny-time.js';
import { SeededRng } from './rng.js';
import { DEFAULT_SYMBOLS, type SymbolSpec } from './symbols.js';

/** Kinds of anomaly the live simulator can inject, each made to fire one rule of gold.fact_alerts. */
export const LIVE_ANOMALY_KINDS = ['price_move', 'volume_burst', 'high_low_swing'] as const;
export type LiveAnomalyKind = (typeof LIVE_ANOMALY_KINDS)[number];

/**
 * An anomaly at a known time: in the `minute`-th whole minute after the start (0 = the minute the
 * start falls in), `symbol` jumps 8% for good (price_move), trades 40× its usual sizes
 * (volume_burst), or prints one round lot 3% above the market (high_low_swing).
 */
export interface LiveAnomaly {
  kind: LiveAnomalyKind;
  symbol: string;
  minute: number;
}

export interface LiveMarketOptions {
  seed?: number;
  symbols?: readonly SymbolSpec[];
  /** Event time of the start, epoch microseconds. */
  startMicros: number;
  /** Trades per second of event time, all symbols together. */
  tradesPerSecond: number;
  /** Quotes per trade, default 1. */
  quotesPerTrade?: number;
  anomalies?: readonly LiveAnomaly[];
}

/** One Alpaca v2 stream message of the simulated market and its event time (epoch microseconds). */
export interface LiveTick {
  atMicros: number;
  message: Record<string, unknown>;
}

const YEAR_MICROS = 252 * 6.5 * 3_600_000_000;
const MINUTE_MICROS = 60_000_000;

interface SymbolState {
  spec: SymbolSpec;
  mid: number;
  lastMicros: number;
  spreadCents: number;
  seq: number;
  baseSpreadBps: number;
}

/** The regular session (09:30-16:00 New York) of the UTC day of `micros`, or undefined on a weekend. */
function regularSession(
  micros: number,
  cache: Map<number, [number, number] | null>,
): [number, number] | null {
  const day = Math.floor(micros / 86_400_000_000);
  let s = cache.get(day);
  if (s === undefined) {
    const wd = weekdayOf(day);
    const date = formatDay(day);
    s = wd === 0 || wd === 6 ? null : [newYorkToUtcMicros(date, 9, 30), newYorkToUtcMicros(date, 16, 0)];
    cache.set(day, s);
  }
  return s;
}

/**
 * The simulated market as a live feed: the file simulator's universe, GBM prices, spreads, venues
 * and trade sizes, as one Poisson stream of trades and quotes in event-time order (Alpaca v2
 * stream messages), from `startMicros` on, forever. Seeded: the same options give the same ticks.
 * Trade ids are `YYYYMMDD` of the start then an 8-digit sequence per symbol.
 */
export function* liveMarket(options: LiveMarketOptions): Generator<LiveTick> {
  const symbols = options.symbols ?? DEFAULT_SYMBOLS;
  const rng = SeededRng.derive(options.seed ?? 42, 'live');
  const quotesPerTrade = options.quotesPerTrade ?? 1;
  const rate = (options.tradesPerSecond * (1 + quotesPerTrade)) / 1e6; // events per microsecond
  const tradeShare = 1 / (1 + quotesPerTrade);
  const idBase =
    Number(formatDay(Math.floor(options.startMicros / 86_400_000_000)).replaceAll('-', '')) * 1e8;
  const firstMinute = Math.floor(options.startMicros / MINUTE_MICROS);
  const anomalies = new Map<string, LiveAnomalyKind>();
  for (const a of options.anomalies ?? [])
    anomalies.set(`${a.symbol}\u0000${firstMinute + a.minute}`, a.kind);
  const jumped = new Set<string>();
  const swung = new Set<string>();
  const sessions = new Map<number, [number, number] | null>();
  const states: SymbolState[] = symbols.map((spec) => {
    const baseSpreadBps = 0.5 + 3 * spec.annualVolatility;
    return {
      spec,
      mid: spec.startPrice,
      lastMicros: options.startMicros,
      spreadCents: Math.max(1, Math.round(spec.startPrice * baseSpreadBps * 0.01)),
      seq: 0,
      baseSpreadBps,
    };
  });
  let t = options.startMicros;
  if (rate <= 0 || states.length === 0) return;
  for (;;) {
    t += rng.exponential(rate);
    const at = Math.floor(t);
    const st = states[rng.int(0, states.length - 1)] as SymbolState;
    const { spec } = st;
    const session = regularSession(at, sessions);
    const extended = !session || at < session[0] || at >= session[1];
    // GBM on the trading clock: outside the session time counts a tenth, as in the file simulator.
    const dt = ((at - st.lastMicros) * (extended ? 0.1 : 1)) / YEAR_MICROS;
    const sigma = spec.annualVolatility;
    if (dt > 0)
      st.mid *= Math.exp(
        (spec.annualDrift - (sigma * sigma) / 2) * dt + sigma * Math.sqrt(dt) * rng.normal(),
      );
    st.lastMicros = at;
    const minuteKey = `${spec.symbol}\u0000${Math.floor(at / MINUTE_MICROS)}`;
    const anomaly = anomalies.get(minuteKey);
    if (anomaly === 'price_move' && !jumped.has(minuteKey)) {
      jumped.add(minuteKey);
      st.mid *= 1.08;
    }
    const midCents = st.mid * 100;
    if (rng.float() >= tradeShare) {
      const factor = Math.exp(0.3 * rng.normal()) * (extended ? 4 : 1);
      st.spreadCents = Math.max(1, Math.round(midCents * st.baseSpreadBps * 1e-4 * factor));
      const bid = Math.max(1, Math.round(midCents - st.spreadCents / 2));
      const w = venueWeights(spec, extended, false);
      yield {
        atMicros: at,
        message: {
          T: 'q',
          S: spec.symbol,
          bx: rng.weighted(QUOTE_VENUES, w),
          bp: bid / 100,
          bs: quoteSize(rng),
          ax: rng.weighted(QUOTE_VENUES, w),
          ap: (bid + st.spreadCents) / 100,
          as: quoteSize(rng),
          t: formatMicros(at),
          c: extended ? [] : ['R'],
          z: spec.tape,
        },
      };
      continue;
    }
    const bid = Math.max(1, Math.round(midCents - st.spreadCents / 2));
    let priceCents = rng.chance(0.5) ? bid + st.spreadCents : bid;
    let size = tradeSize(rng);
    if (anomaly === 'volume_burst') size = Math.max(100, size) * 40;
    if (anomaly === 'high_low_swing' && !swung.has(minuteKey)) {
      swung.add(minuteKey);
      priceCents = Math.round(midCents * 1.03);
      size = 100;
    }
    const conditions = ['@'];
    if (extended) conditions.push('T');
    if (size < 100) conditions.push('I');
    st.seq += 1;
    yield {
      atMicros: at,
      message: {
        T: 't',
        S: spec.symbol,
        i: idBase + st.seq,
        x: rng.weighted(TRADE_VENUES, venueWeights(spec, extended, true)),
        p: priceCents / 100,
        s: size,
        t: formatMicros(at),
        c: conditions,
        z: spec.tape,
      },
    };
  }
}
