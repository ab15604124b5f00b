export { BAR_INTERVALS, Bar, type BarInterval } from './bar.contract.js';
export {
  type ContractColumn,
  columnsOf,
  contractJsonSchemas,
  DATASET_NAMES,
  DATASETS,
  type Dataset,
  type DatasetName,
  describeIssues,
  isDatasetName,
} from './datasets.js';
export { EARLIEST_EVENT_AT, FUTURE_TOLERANCE_MS, SYMBOL_PATTERN } from './fields.js';
export { Quote } from './quote.contract.js';
export { SentimentPost } from './sentiment-post.contract.js';
export { ASSET_CLASSES, type AssetClass, SymbolRef } from './symbol-ref.contract.js';
export { Trade } from './trade.contract.js';
