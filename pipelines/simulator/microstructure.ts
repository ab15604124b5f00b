import type { SeededRng } from './rng.js';
import type { SymbolSpec } from './symbols.js';

/** Trade venues: Nasdaq, NYSE, Arca, BZX, EDGX, IEX and the FINRA TRF (off-exchange). */
export const TRADE_VENUES = ['Q', 'N', 'P', 'Z', 'K', 'V', 'D'] as const;
/** Quoting venues: the FINRA TRF (`D`) reports trades but does not quote. */
export const QUOTE_VENUES = ['Q', 'N', 'P', 'Z', 'K', 'V'] as const;

/** Venue weights in the order of {@link QUOTE_VENUES} (plus the TRF for trades). */
export function venueWeights(spec: SymbolSpec, extended: boolean, withTrf: boolean): number[] {
  const nyse = spec.exchange === 'XNYS';
  // Q N P Z K V (D): NYSE had no extended-hours session, Arca (P) and Nasdaq did.
  const w = [nyse ? 0.12 : 0.2, extended ? 0 : nyse ? 0.18 : 0.06, 0.1, 0.09, 0.08, 0.05];
  if (withTrf) w.push(0.42);
  return w;
}

/** Pareto-tailed trade size: ~45 % odd lots (1-99), otherwise round lots (capped at 500) plus some mixed lots. */
export function tradeSize(rng: SeededRng): number {
  if (rng.chance(0.45)) {
    const u = rng.float();
    return 1 + Math.floor(99 * u * u);
  }
  const lots = Math.min(500, Math.floor((1 - rng.float()) ** (-1 / 1.3)));
  return lots * 100 + (rng.chance(0.15) ? rng.int(1, 99) : 0);
}

/** Round-lot quote size, 100..5000, skewed to small. */
export function quoteSize(rng: SeededRng): number {
  const u = rng.float();
  return 100 * (1 + Math.floor(50 * u * u));
}
