export type {
  BatchRecord,
  Catalog,
  ColumnDef,
  CommitOperation,
  DataFile,
  Snapshot,
  SnapshotSummary,
  TableChange,
} from './catalog/catalog.js';
export { applyChange, checkSchemaEvolution, ManifestCatalog } from './catalog/manifest-catalog.js';
export { type Config, type ConfigFlags, LOG_LEVELS, type LogLevel, loadConfig, redactUrl } from './config.js';
export { LakeSession, type SessionOptions } from './duckdb/session.js';
export { ident, literal, viewName } from './duckdb/sql.js';
export {
  CommitError,
  ConfigError,
  MarketlakeError,
  ModelError,
  NotImplementedError,
  StorageError,
  UsageError,
} from './errors.js';
export { type Lake, openLake } from './lake.js';
export {
  BRONZE_LINEAGE_COLUMNS,
  bronzeColumns,
  type DeclaredTable,
  declaredSourceTables,
  QUARANTINE_COLUMNS,
} from './lake-tables.js';
export { createLogger, type Logger, type LoggerOptions, REDACT_PATHS } from './logger.js';
export {
  isLayer,
  LAYERS,
  type Layer,
  parseTableName,
  qualifiedName,
  REPORTS_PREFIX,
  RUNS_PREFIX,
  SERVING_PREFIX,
  type TableRef,
  tableRef,
} from './names.js';
export { readSqlFile, sqlDir, statementOf } from './sql-files.js';
export { LocalObjectStore } from './storage/local-store.js';
export type { ObjectStore } from './storage/object-store.js';
export { type WriteOptions, type WriteResult, writeTable } from './table-writer.js';
