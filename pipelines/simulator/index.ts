/** Seeded, repeatable market simulator: trades, quotes, social posts and reference data. */
export {
  OFF_HOURS_WEIGHT,
  type SimulatedMarket,
  type SimulationOptions,
  simulateMarket,
} from './market-simulator.js';
export { formatMicros, newYorkToUtcMicros, usWeekdays } from './ny-time.js';
export { SeededRng } from './rng.js';
export { DEFAULT_SYMBOLS, type SymbolSpec } from './symbols.js';
