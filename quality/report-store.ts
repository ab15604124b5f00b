import { type ObjectStore, REPORTS_PREFIX } from '../layers/index.js';
import { type QualityReport, REPORT_FORMATS, renderReport } from './report.js';

/**
 * Save the report in every format under `_reports/` (a dated copy and `latest.*`).
 * Returns the key of the Markdown copy.
 */
export async function saveReport(store: ObjectStore, report: QualityReport): Promise<{ keys: string[] }> {
  const stamp = report.generatedAt.replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const keys: string[] = [];
  for (const format of REPORT_FORMATS) {
    const text = renderReport(report, format);
    const key = `${REPORTS_PREFIX}/dq-${stamp}.${format}`;
    await store.writeText(key, text);
    await store.writeText(`${REPORTS_PREFIX}/latest.${format}`, text);
    keys.push(key);
  }
  return { keys };
}
