export * from './backfill/index.js';
export { type BronzeBatchOptions, type BronzeBatchResult, writeBronzeBatch } from './bronze/bronze-writer.js';
export { validatedRowsSql } from './bronze/bulk-sql.js';
export { type FileScan, readFirstLine, scanFile } from './bronze/file-scan.js';
export {
  type IngestEngine,
  type IngestFileOptions,
  type IngestFileResult,
  ingestMappedFile,
} from './bronze/ingest-file.js';
export { type IngestVendorOptions, ingestVendorFile } from './bronze/ingest-vendor.js';
export { fromValues, type SourceRecord } from './bronze/source-record.js';
export { assertInputFile, type IngestFlags, ingestFile } from './ingest.js';
export {
  defaultPgliteDir,
  openServingTarget,
  type ServedTable,
  type ServingTarget,
  serveGold,
} from './serve/index.js';
export {
  type AlpacaSimulator,
  type AlpacaSimulatorOptions,
  type AlpacaSimulatorStats,
  DEFAULT_SYMBOLS,
  LIVE_ANOMALY_KINDS,
  type LiveAnomaly,
  type LiveAnomalyKind,
  type SimulatedMarket,
  type SimulationOptions,
  type SymbolSpec,
  simulateMarket,
  startAlpacaSimulator,
  writeSimulatedFiles,
} from './simulator/index.js';
export { type CsvRecord, headerNames, readCsvRecords } from './sources/csv-records.js';
export {
  type FactorFileOptions,
  ingestDailyBarFile,
  ingestFactorFile,
  readDailyBarFile,
  readFactorFile,
} from './sources/factor-file.source.js';
export {
  algoseekFileFacts,
  documentFormatOf,
  formatMapping,
  INGEST_FORMATS,
  type IngestFormat,
} from './sources/formats.js';
export { MAX_LINE_BYTES, readJsonLines } from './sources/jsonl-source.js';
export { readLines } from './sources/lines-source.js';
export { mapCells, mapObject } from './sources/map-record.js';
export { readMapped } from './sources/mapped-source.js';
export {
  type ColumnMapping,
  type FieldSource,
  identityMapping,
  parseFieldMap,
  TIME_UNITS,
  type TimeUnit,
} from './sources/mapping.js';
export { convertTime } from './sources/time-convert.js';
export { alpacaRecords } from './sources/vendors/alpaca.js';
export { binanceAggTradeRecords } from './sources/vendors/binance-json.js';
export { parseJsonExact } from './sources/vendors/exact-json.js';
export type { VendorContext, VendorRecord } from './sources/vendors/vendor-record.js';
export { DOCUMENT_FORMATS, type DocumentFormat, readVendorRecords } from './sources/vendors/vendor-source.js';
