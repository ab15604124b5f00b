import { type ObjectStore, RUNS_PREFIX } from '../layers/index.js';
import type { TaskResult } from './model-runner.js';

export type RunTrigger = 'manual' | 'demo' | 'schedule' | 'backfill';

export interface RunRecord {
  runId: string;
  trigger: RunTrigger;
  command: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  endedAt?: string;
  tasks: TaskResult[];
  error?: string;
}

/** Run history as one JSON object per run under `_runs/` (moves to the catalog with the orchestrator issue). */
export async function saveRun(store: ObjectStore, run: RunRecord): Promise<void> {
  await store.writeText(`${RUNS_PREFIX}/${run.runId}.json`, JSON.stringify(run, null, 2));
}

export async function listRuns(store: ObjectStore): Promise<RunRecord[]> {
  const keys = (await store.list(RUNS_PREFIX)).map((o) => o.key).filter((k) => k.endsWith('.json'));
  const runs: RunRecord[] = [];
  for (const key of keys) {
    const text = await store.readText(key);
    if (text) runs.push(JSON.parse(text) as RunRecord);
  }
  return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export async function getRun(store: ObjectStore, runId: string): Promise<RunRecord | undefined> {
  if (!/^run_[A-Za-z0-9_]+$/.test(runId)) return undefined;
  const text = await store.readText(`${RUNS_PREFIX}/${runId}.json`);
  return text ? (JSON.parse(text) as RunRecord) : undefined;
}
