export type {
  AsOf,
  BatchRecord,
  Catalog,
  ColumnDef,
  CommitOperation,
  DataFile,
  Snapshot,
  SnapshotSummary,
  TableChange,
  TableCommit,
} from './catalog/catalog.js';
export { type LockOptions, withCatalogLock } from './catalog/catalog-lock.js';
export type { CheckHistory, CheckResultRow } from './catalog/check-history.js';
export type { RunLog, RunRow, RunStatus, RunTrigger, TaskRow, TaskState } from './catalog/run-log.js';
export { checkSchemaEvolution } from './catalog/schema-evolution.js';
export { crashPoint, SqlCatalog } from './catalog/sql-catalog.js';
export type { NewStreamGap, StreamGap, StreamGapLog } from './catalog/stream-gaps.js';
export { type Config, type ConfigFlags, LOG_LEVELS, type LogLevel, loadConfig, redactUrl } from './config.js';
export { lakeTablesIn } from './duckdb/parse.js';
export {
  LakeSession,
  SERVICE_SETTINGS,
  type SessionAccess,
  type SessionOptions,
} from './duckdb/session.js';
export { ident, literal, utcDateSql, viewName } from './duckdb/sql.js';
export {
  assertOutsideLake,
  checkReadOnlySql,
  DENIED_FUNCTIONS,
  READ_ONLY_STATEMENTS,
} from './duckdb/statement-guard.js';
export {
  CommitError,
  ConfigError,
  DuplicateBatchError,
  InputError,
  isTransient,
  MarketlakeError,
  ModelError,
  NotImplementedError,
  StorageError,
  UsageError,
} from './errors.js';
export { EMBEDDED_CATALOG_FILE, type Lake, type LakeConfig, openLake } from './lake.js';
export {
  BRONZE_LINEAGE_COLUMNS,
  bronzeColumns,
  type DeclaredTable,
  declaredSourceTables,
  QUARANTINE_COLUMNS,
} from './lake-tables.js';
export { createLogger, type Logger, type LoggerOptions, REDACT_PATHS } from './logger.js';
export {
  type CompactResult,
  compactTable,
  type VacuumOptions,
  type VacuumResult,
  vacuum,
} from './maintenance.js';
export {
  DEFAULT_QUEUE_PREFIX,
  isLayer,
  LAYERS,
  type Layer,
  layerFolder,
  ML_PREFIX,
  mlModelKey,
  parseTableName,
  QUEUES,
  qualifiedName,
  REPORTS_PREFIX,
  RUNS_PREFIX,
  SERVING_PREFIX,
  type TableRef,
  tableRef,
  taskJobId,
  taskLockKey,
} from './names.js';
export {
  emitLakeEvent,
  type LakeEvent,
  type LakeEventListener,
  onLakeEvent,
} from './observers.js';
export { backoffDelay, type RetryOptions, retryBudgetMs, sleep, withRetry } from './retry.js';
export { readSqlFile, sqlDir, statementOf } from './sql-files.js';
export { LocalObjectStore } from './storage/local-store.js';
export type { ObjectInfo, ObjectStore } from './storage/object-store.js';
export { parseS3Url, S3ObjectStore, type S3StoreOptions } from './storage/s3-store.js';
export {
  commitStagedRows,
  commitStagedTables,
  type StagedCommit,
  type StagedFile,
  type StagedRows,
  stageRows,
  type WriteOptions,
  type WriteResult,
  writeTable,
} from './table-writer.js';
