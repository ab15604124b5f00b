import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetName } from '../contracts/index.js';
import { createLogger, LakeSession, loadConfig, openLake } from '../layers/index.js';
import { MODELS } from '../models/index.js';
import { runPlanInProcess } from '../orchestrator/in-process-runner.js';
import { buildDag } from '../orchestrator/index.js';
import { loadProjectConfig } from '../orchestrator/project-config.js';
import { resolveQueueTarget } from '../orchestrator/queue/connection.js';
import { enqueueRun, waitForRun } from '../orchestrator/queue/enqueue.js';
import { startWorker } from '../orchestrator/queue/workers.js';
import { planRun } from '../orchestrator/run-plan.js';
import { fromValues, simulateMarket, writeBronzeBatch } from '../pipelines/index.js';
import type { BenchResult } from './report.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function seededLake(dir: string, tradesPerSymbolDay: number) {
  const lake = openLake({ lakeUrl: dir });
  const market = simulateMarket({ days: 2, tradesPerSymbolDay, quotesPerSymbolDay: tradesPerSymbolDay / 2 });
  const session = await LakeSession.open(lake);
  const batches: [DatasetName, unknown[]][] = [
    ['symbol_refs', market.symbolRefs],
    ['trades', market.trades],
    ['quotes', market.quotes],
    ['sentiment_posts', market.posts],
  ];
  for (const [dataset, values] of batches)
    await writeBronzeBatch(session, dataset, fromValues(values), { source: 'bench' });
  session.close();
  return lake;
}

/**
 * The models pipeline run through BullMQ (two in-process worker slots, real Redis) against the same
 * plan run by the in-process runner on an identical lake: what queueing, locks and run history cost.
 */
export async function benchQueue(tradesPerSymbolDay: number): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'marketlake-bench-queue-'));
  const logger = createLogger({ level: 'silent', json: true });
  const project = loadProjectConfig();
  try {
    const local = await seededLake(join(dir, 'inproc'), tradesPerSymbolDay);
    const queued = await seededLake(join(dir, 'queued'), tradesPerSymbolDay);
    const config = loadConfig({ LAKE_URL: join(dir, 'inproc'), REDIS_URL });

    const session = await LakeSession.open(local);
    const plan = planRun(await buildDag(session, MODELS), project, 'models');
    session.close();
    let t = performance.now();
    await local.runs.startRun({
      runId: 'run_bench',
      trigger: 'manual',
      command: 'bench',
      status: 'running',
      startedAt: new Date().toISOString(),
    });
    await runPlanInProcess(
      { config, lake: local, logger, project },
      plan,
      { pipeline: 'models' },
      'run_bench',
      2,
    );
    const inProcessS = (performance.now() - t) / 1000;

    const worker = await startWorker(
      { config: { ...config, lakeUrl: join(dir, 'queued') }, lake: queued, logger, project },
      { concurrency: 2, catchUp: false },
    );
    try {
      t = performance.now();
      // The queued lake's own queues (its default prefix: no other lake's workers listen there).
      const runId = await enqueueRun(await resolveQueueTarget(config, queued), { pipeline: 'models' });
      const result = await waitForRun(queued.runs, runId, logger, { pollMs: 50 });
      const queuedS = (performance.now() - t) / 1000;
      if (result.status !== 'succeeded') throw new Error(`bench: queued run ${result.status}`);
      return [
        {
          name: `models pipeline (${plan.length} tasks, ${(tradesPerSymbolDay * 20).toLocaleString('en-US')} trades) on BullMQ`,
          unit: 's',
          value: queuedS,
          limit: inProcessS,
          limitName: 'same plan in process',
          lowerIsBetter: true,
        },
      ];
    } finally {
      await worker.close(5_000);
      await local.close();
      await queued.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
