import type { LakeSession, Logger } from '../layers/index.js';
import { runModel } from '../models/index.js';
import type { Dag } from './dag.js';

export type TaskStatus = 'succeeded' | 'failed' | 'skipped';

export interface TaskResult {
  task: string;
  status: TaskStatus;
  rows?: number;
  ms: number;
  error?: string;
}

/**
 * Run the DAG's models in process, one after another in dependency order (DuckDB already uses
 * every core inside a model). A failed model skips everything downstream of it; the rest runs.
 */
export async function runModelsInProcess(
  session: LakeSession,
  dag: Dag,
  logger: Logger,
  select?: ReadonlySet<string>,
): Promise<TaskResult[]> {
  const results: TaskResult[] = [];
  const blocked = new Set<string>();
  for (const name of dag.order) {
    if (select && !select.has(name)) continue;
    const node = dag.nodes.get(name)!;
    const log = logger.child({ model: name });
    const failedUpstream = node.upstream.find((u) => blocked.has(u));
    if (failedUpstream) {
      blocked.add(name);
      results.push({
        task: name,
        status: 'skipped',
        ms: 0,
        error: `upstream ${failedUpstream} did not succeed`,
      });
      log.warn({ upstream: failedUpstream }, 'model skipped');
      continue;
    }
    log.debug('model started');
    try {
      const r = await runModel(session, node.model);
      results.push({ task: name, status: 'succeeded', rows: r.rows, ms: r.ms });
      log.info({ rows: r.rows, files: r.files, snapshot: r.snapshotVersion, ms: r.ms }, 'model built');
    } catch (err) {
      blocked.add(name);
      const message = err instanceof Error ? err.message : String(err);
      results.push({ task: name, status: 'failed', ms: 0, error: message });
      log.error({ err }, 'model failed');
    }
  }
  return results;
}
