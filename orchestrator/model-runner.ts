import { type LakeSession, type Logger, parseTableName, withCatalogLock } from '../layers/index.js';
import { type BuildPlan, type PlanOptions, planBuild, runModel } from '../models/index.js';
import type { Dag } from './dag.js';

export type TaskStatus = 'succeeded' | 'failed' | 'skipped';

export interface TaskResult {
  task: string;
  status: TaskStatus;
  /** full: table rebuilt; partitions: some partitions rewritten; up_to_date: inputs unchanged. */
  action?: BuildPlan['mode'];
  reason?: string;
  rows?: number;
  /** Partitions rewritten by a partition build. */
  partitions?: number;
  ms: number;
  error?: string;
  /** The error itself, so callers can tell a transient cause (S3 5xx, ECONNRESET) from a bad model. */
  cause?: unknown;
}

/** How to run the DAG. */
export interface RunOptions extends PlanOptions {
  /** Only these models (names); default every model. */
  select?: ReadonlySet<string>;
}

/**
 * Run the DAG's models in process, one after another in dependency order (DuckDB already uses
 * every core inside a model). Each model is planned from the catalog (full rebuild, the partitions
 * whose inputs changed, or nothing) and built. A failed model skips everything downstream of it;
 * the rest runs. A model that is up to date counts as succeeded.
 */
export async function runModelsInProcess(
  session: LakeSession,
  dag: Dag,
  logger: Logger,
  options: RunOptions = {},
): Promise<TaskResult[]> {
  const results: TaskResult[] = [];
  const blocked = new Set<string>();
  for (const name of dag.order) {
    if (options.select && !options.select.has(name)) continue;
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
    const started = performance.now();
    try {
      // One build of a model at a time across processes (two `run`s at once, a worker and a
      // backfill): the second waits, then plans against what the first committed, so the table
      // is one run's result, never partitions of both.
      const reads = node.reads.map(parseTableName);
      const { plan, r } = await withCatalogLock(
        session.lake.catalog,
        `model:${name}`,
        async () => {
          for (const ref of [...reads, node.model.ref]) await session.refreshView(ref);
          const { plan, properties } = await planBuild(session, node.model, node.sql, reads, options);
          log.debug({ action: plan.mode, reason: plan.reason }, 'model planned');
          return { plan, r: await runModel(session, node.model, plan, properties) };
        },
        { onWait: () => log.info('another process is building this model: waiting for it') },
      );
      const ms = Math.round(performance.now() - started);
      results.push({
        task: name,
        status: 'succeeded',
        action: plan.mode,
        reason: plan.reason,
        rows: r.rows,
        ...(plan.mode === 'partitions' ? { partitions: r.partitions.length } : {}),
        ms,
      });
      log.info(
        {
          action: plan.mode,
          reason: plan.reason,
          rows: r.rows,
          partitions: r.partitions.length,
          snapshot: r.snapshotVersion,
          ms,
        },
        'model built',
      );
    } catch (err) {
      blocked.add(name);
      const message = err instanceof Error ? err.message : String(err);
      results.push({
        task: name,
        status: 'failed',
        ms: Math.round(performance.now() - started),
        error: message,
        cause: err,
      });
      log.error({ err }, 'model failed');
    }
  }
  return results;
}
