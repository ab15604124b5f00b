export { type CheckResult, runChecks } from './check-runner.js';
export {
  buildReport,
  type QualityReport,
  type QualitySummary,
  REPORT_FORMATS,
  type ReportFormat,
  renderHtml,
  renderMarkdown,
  renderReport,
  summarize,
} from './report.js';
export { saveReport } from './report-store.js';
