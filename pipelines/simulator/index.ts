/** Seeded, repeatable market simulator: trades, quotes, social posts and reference data. */

export {
  type AlpacaSimulator,
  type AlpacaSimulatorOptions,
  type AlpacaSimulatorStats,
  startAlpacaSimulator,
} from './alpaca-ws-server.js';
export { type SimulatedFiles, writeSimulatedFiles } from './file-writer.js';
export {
  LIVE_ANOMALY_KINDS,
  type LiveAnomaly,
  type LiveAnomalyKind,
  type LiveMarketOptions,
  type LiveTick,
  liveMarket,
} from './live-market.js';
export {
  OFF_HOURS_WEIGHT,
  type SimulatedMarket,
  type SimulationOptions,
  simulateMarket,
} from './market-simulator.js';
export { formatMicros, newYorkToUtcMicros, usWeekdays } from './ny-time.js';
export { SeededRng } from './rng.js';
export { DEFAULT_SYMBOLS, type SymbolSpec } from './symbols.js';
