export { BAR_INTERVALS, BAR_RECORD_RULES, Bar, type BarInterval } from './bar.contract.js';
export {
  type ContractSql,
  contractSql,
  inputColumn,
  patternViolationsSql,
  safeIntegerSql,
} from './contract-sql.js';
export { CorporateAction } from './corporate-action.contract.js';
export {
  type ContractColumn,
  columnsOf,
  contractJsonSchemas,
  DATASET_NAMES,
  DATASETS,
  type Dataset,
  type DatasetName,
  describeIssues,
  EXTRA_COLUMN,
  EXTRA_MAX_CHARS,
  isDatasetName,
} from './datasets.js';
export { SYMBOL_PATTERN } from './fields.js';
export { INDEX_ACTIONS, IndexChange } from './index-change.contract.js';
export { jsonText } from './json-text.js';
export { compatibilityProblems, PUBLISHED_DIR, publishedJsonSchemas } from './published.js';
export { QUOTE_RECORD_RULES, Quote } from './quote.contract.js';
export {
  EARLIEST_EVENT_AT,
  type FieldRule,
  FUTURE_TOLERANCE_MS,
  ISO_INSTANT_SOURCE,
  JSON_NUMBER_SOURCE,
  MESSAGES,
  type RecordRule,
} from './rules.js';
export { SentimentPost } from './sentiment-post.contract.js';
export { patternMatchSql } from './sql-match.js';
export {
  ASSET_CLASSES,
  type AssetClass,
  SNAPSHOT_KINDS,
  type SnapshotKind,
  SymbolRef,
  SymbolRefV1,
} from './symbol-ref.contract.js';
export { Trade } from './trade.contract.js';
export { checkParsedLine, isWellFormedValue, LONE_SURROGATE_MESSAGE } from './unicode.js';
export { type Validation, validateRecord } from './validate.js';
