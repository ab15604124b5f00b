import type { DatasetName } from '../../contracts/index.js';
import { type Lake, LakeSession } from '../../layers/index.js';
import {
  fromValues,
  type SimulationOptions,
  simulateMarket,
  writeBronzeBatch,
} from '../../pipelines/index.js';
import { tempLake } from './temp-lake.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** The gold tables the queue tests compare with an in-process run. */
export const GOLD_TABLES = [
  'dim_symbol',
  'dim_date',
  'fact_bars',
  'fact_daily_market',
  'fact_daily_sentiment',
  'fact_alerts',
];

/** Fast stalled-job detection and short locks so a killed worker's task moves on within seconds. */
export const FAST_WORKER_ENV = {
  MARKETLAKE_WORKER_LOCK_MS: '3000',
  MARKETLAKE_STALLED_INTERVAL_MS: '1000',
  MARKETLAKE_TASK_LOCK_MS: '3000',
  MARKETLAKE_RETRY_BACKOFF_MS: '200',
  MARKETLAKE_FOREIGN_RETRY_MS: '200',
  MARKETLAKE_FOREIGN_RETRY_MAX_MS: '1000',
};

export type TestLake = Awaited<ReturnType<typeof tempLake>>;

/** A queue prefix no other test (or test process) uses. */
export function uniqueQueuePrefix(name: string): string {
  return `mltest_${name}_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
}

/** A lake with the simulated market in bronze and nothing built yet. */
export async function bronzeOnlyLake(simulation: SimulationOptions): Promise<TestLake> {
  const env = await tempLake('marketlake-queue-');
  const market = simulateMarket(simulation);
  const session = await LakeSession.open(env.lake);
  const batches: [DatasetName, unknown[]][] = [
    ['symbol_refs', market.symbolRefs],
    ['trades', market.trades],
    ['quotes', market.quotes],
    ['sentiment_posts', market.posts],
  ];
  try {
    for (const [dataset, values] of batches) {
      await writeBronzeBatch(session, dataset, fromValues(values), { source: 'simulator' });
    }
  } finally {
    session.close();
  }
  return env;
}

/** Every row of the compared gold tables, in a stable order. */
export async function goldTables(lake: Lake): Promise<Record<string, unknown[]>> {
  const session = await LakeSession.open(lake);
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of GOLD_TABLES) out[t] = await session.all(`SELECT * FROM gold.${t} ORDER BY ALL`);
    return out;
  } finally {
    session.close();
  }
}

/** The tasks of a run that did not succeed, with their errors: the message of a failed status check. */
export function unfinished(result: {
  tasks: { task: string; status: string; error?: string | null }[];
}): string {
  const open = result.tasks.filter((t) => t.status !== 'succeeded');
  return open.map((t) => `${t.task}: ${t.status}${t.error ? ` (${t.error})` : ''}`).join('; ');
}
