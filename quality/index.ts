export { type AnomalyJudgement, judgeAnomalies, nyseSessionMinutes } from './anomaly.js';
export { BRONZE_CHECK_TARGETS } from './bronze-checks.js';
export {
  type CheckResult,
  type CheckStatus,
  type CheckTarget,
  type PartitionResult,
  type RunChecksOptions,
  runChecks,
} from './check-runner.js';
export {
  checkAndRecord,
  type QualityRunOptions,
  reportQuality,
  resultRows,
  storedResults,
} from './quality-run.js';
export {
  type BlockedTable,
  barChart,
  buildReport,
  type CheckChange,
  type CheckTrend,
  escapeHtml,
  inertJson,
  type QualityReport,
  type QualitySummary,
  REPORT_FORMATS,
  REPORT_SCHEMA,
  REPORT_SCHEMA_VERSION,
  type ReportExtras,
  type ReportFormat,
  renderHtml,
  renderMarkdown,
  renderReport,
  summarize,
} from './report.js';
export {
  type PartitionCount,
  type QuarantinePoint,
  type QuarantineSummary,
  quarantineSummaries,
  type TableTrend,
  tableTrends,
} from './report-data.js';
export { saveReport } from './report-store.js';
