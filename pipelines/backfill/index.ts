export {
  type BackfillEstimate,
  type BackfillPlan,
  type BackfillRequest,
  normalizeSymbols,
  type PlannedWork,
  planBackfill,
  type StreamGapRecord,
  unitRanges,
  type WorkAction,
} from './backfill-plan.js';
export {
  type BackfillProgress,
  type BackfillSummary,
  type RunBackfillOptions,
  runBackfill,
  type WorkResult,
} from './backfill-run.js';
export {
  checkFilePattern,
  DATE_PLACEHOLDERS,
  daysBetween,
  expandFilePattern,
  fillDate,
} from './date-pattern.js';
export { BackfillLedger, type LedgerEntry } from './ledger.js';
export {
  alpacaAdapter,
  BACKFILL_DATASETS,
  BACKFILL_INTERVALS,
  type BackfillDataset,
  type BackfillInterval,
  binanceAdapter,
  type FetchUnit,
  polygonAdapter,
  type VendorAdapter,
  vendorAdapter,
} from './vendor-adapters.js';
export {
  DEFAULT_REQUESTS_PER_MINUTE,
  retryAfterMs,
  VENDORS,
  VendorClient,
  type VendorClientOptions,
  VendorHttpError,
  type VendorName,
  type VendorResponse,
} from './vendor-http.js';
export { type VendorSettings, vendorSettingsFromEnv } from './vendor-settings.js';
