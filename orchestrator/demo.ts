import type { DatasetName } from '../contracts/index.js';
import { type Config, type Lake, LakeSession, type Logger } from '../layers/index.js';
import {
  type BronzeBatchResult,
  fromValues,
  type ServedTable,
  type SimulationOptions,
  simulateMarket,
  writeBronzeBatch,
} from '../pipelines/index.js';
import type { QualitySummary } from '../quality/index.js';
import type { TaskResult } from './model-runner.js';
import { failedTasks, runModels, runQuality, serve, tableRowCounts } from './pipeline.js';
import { type RunRecord, saveRun } from './run-history.js';
import { newRunId } from './run-id.js';

export interface DemoOptions {
  simulation?: SimulationOptions;
  /** Load gold into PostgreSQL/PGlite (default true). */
  serve?: boolean;
}

export interface DemoStep {
  step: string;
  ms: number;
}

export interface DemoSummary {
  runId: string;
  status: 'succeeded' | 'failed';
  steps: DemoStep[];
  ingestion: BronzeBatchResult[];
  models: TaskResult[];
  quality: QualitySummary;
  reportKeys: string[];
  served: { target: string; tables: ServedTable[] } | undefined;
  tables: { table: string; rows: number }[];
}

async function timed<T>(steps: DemoStep[], step: string, logger: Logger, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  logger.info({ step }, 'step started');
  const out = await fn();
  const ms = Math.round(performance.now() - started);
  steps.push({ step, ms });
  logger.info({ step, ms }, 'step finished');
  return out;
}

/**
 * The whole pipeline on the embedded default: simulate a market, land it in bronze (quarantining
 * bad records), build silver and gold, check quality, serve gold. Rerunning on the same lake is
 * idempotent: the same simulated batches are recognised and not ingested twice.
 */
export async function runDemo(config: Config, lake: Lake, rootLogger: Logger, options: DemoOptions = {}) {
  const runId = newRunId();
  const logger = rootLogger.child({ runId });
  const steps: DemoStep[] = [];
  const run: RunRecord = {
    runId,
    trigger: 'demo',
    command: 'demo',
    status: 'running',
    startedAt: new Date().toISOString(),
    tasks: [],
  };
  await saveRun(lake, run);
  const session = await LakeSession.open(lake, config.duckdbThreads ? { threads: config.duckdbThreads } : {});
  try {
    const market = await timed(steps, 'simulate', logger, async () => simulateMarket(options.simulation));
    const ingestion = await timed(steps, 'ingest', logger, async () => {
      const batches: [DatasetName, unknown[]][] = [
        ['symbol_refs', market.symbolRefs],
        ['trades', market.trades],
        ['quotes', market.quotes],
        ['sentiment_posts', market.posts],
      ];
      const results: BronzeBatchResult[] = [];
      for (const [dataset, values] of batches) {
        const r = await writeBronzeBatch(session, dataset, fromValues(values), { source: 'simulator' });
        logger.info(
          {
            dataset,
            read: r.read,
            accepted: r.accepted,
            quarantined: r.quarantined,
            skipped: r.skipped,
            duplicateBatch: r.duplicateBatch,
          },
          'batch ingested',
        );
        results.push(r);
      }
      return results;
    });
    const models = await timed(steps, 'transform', logger, () => runModels(session, logger));
    const { report, reportKeys, blocked } = await timed(steps, 'quality', logger, () =>
      runQuality(session, runId),
    );
    // Tables whose error checks (or an upstream table's) failed stay at their served version.
    const served =
      options.serve === false
        ? undefined
        : await timed(steps, 'serve', logger, () => serve(session, config, lake, { skip: blocked }));
    const failed = failedTasks(models).length > 0 || report.summary.failed > 0;
    Object.assign(run, {
      status: failed ? 'failed' : 'succeeded',
      endedAt: new Date().toISOString(),
      tasks: models,
    });
    await saveRun(lake, run);
    const summary: DemoSummary = {
      runId,
      status: run.status === 'failed' ? 'failed' : 'succeeded',
      steps,
      ingestion,
      models,
      quality: report.summary,
      reportKeys,
      served,
      tables: await tableRowCounts(session),
    };
    return summary;
  } catch (err) {
    Object.assign(run, { status: 'failed', endedAt: new Date().toISOString(), error: String(err) });
    await saveRun(lake, run);
    throw err;
  } finally {
    session.close();
  }
}
