export { type BronzeBatchOptions, type BronzeBatchResult, writeBronzeBatch } from './bronze/bronze-writer.js';
export { fromValues, type SourceRecord } from './bronze/source-record.js';
export {
  defaultPgliteDir,
  openServingTarget,
  type ServedTable,
  type ServingTarget,
  serveGold,
} from './serve/index.js';
export {
  DEFAULT_SYMBOLS,
  type SimulatedMarket,
  type SimulationOptions,
  type SymbolSpec,
  simulateMarket,
} from './simulator/index.js';
export { MAX_LINE_BYTES, readJsonLines } from './sources/jsonl-source.js';
