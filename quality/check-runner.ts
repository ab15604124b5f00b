import type { LakeSession } from '../layers/index.js';
import { type ModelDefinition, modelName, type Severity } from '../models/index.js';

export interface CheckResult {
  model: string;
  check: string;
  severity: Severity;
  description: string;
  /** pass: no offending rows; fail: some; error: the check itself could not run. */
  status: 'pass' | 'fail' | 'error';
  failingRows: number;
  sample: Record<string, unknown>[];
  ms: number;
  error?: string;
}

/** Run every check of every model; a check that cannot run is reported, not thrown. */
export async function runChecks(
  session: LakeSession,
  models: readonly ModelDefinition[],
  options: { sampleSize?: number } = {},
): Promise<CheckResult[]> {
  const sampleSize = options.sampleSize ?? 5;
  const results: CheckResult[] = [];
  for (const model of models) {
    for (const check of model.checks) {
      const started = performance.now();
      const base = {
        model: modelName(model),
        check: check.name,
        severity: check.severity,
        description: check.description,
      };
      try {
        const [count] = await session.all<{ n: string }>(`SELECT count(*) AS n FROM (${check.sql})`);
        const failingRows = Number(count?.n ?? 0);
        const sample =
          failingRows > 0
            ? await session.all(
                `SELECT * FROM (${check.sql}) LIMIT ${Math.trunc(check.sampleSize ?? sampleSize)}`,
              )
            : [];
        results.push({
          ...base,
          status: failingRows > 0 ? 'fail' : 'pass',
          failingRows,
          sample,
          ms: Math.round(performance.now() - started),
        });
      } catch (err) {
        results.push({
          ...base,
          status: 'error',
          failingRows: 0,
          sample: [],
          ms: Math.round(performance.now() - started),
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }
  return results;
}
