import type { BackfillRequest } from '../pipelines/index.js';
import type { Dag } from './dag.js';
import type { PipelineName, ProjectConfig } from './project-config.js';

export type TaskKind = 'ingest' | 'backfill' | 'model' | 'quality' | 'serve' | 'compact' | 'vacuum';

/** One task of a run: what to do and which tasks must succeed first. */
export interface PlannedTask {
  /** Unique within the run: `ingest:<source>`, `model:<name>`, `quality`, `serve`, `compact`, `vacuum`. */
  id: string;
  kind: TaskKind;
  /** Source name or model name. */
  target?: string;
  dependsOn: string[];
}

export interface RunParams {
  pipeline: PipelineName;
  /** Model selectors (`model`, `+model`, `model+`): build only those models. */
  selectors?: string[];
  fullRefresh?: boolean;
  from?: string;
  to?: string;
  /** `backfill --queue`: one task per day (`backfill:<day>`) before the models that read bronze. */
  backfill?: BackfillRunParams;
}

/** What the backfill tasks of a run do: the request (a day at a time) and its days. */
export interface BackfillRunParams {
  request: BackfillRequest;
  days: string[];
  /** Parallel downloads within one day's task. */
  concurrency?: number;
  /** False: no model tasks after the backfill (`--no-rebuild`). */
  rebuild?: boolean;
}

/**
 * The tasks of a run and their dependencies. Models depend on the models their SQL reads and on
 * every ingestion task when they read bronze; quality waits for every model; serving waits for quality.
 */
export function planRun(
  dag: Dag,
  project: ProjectConfig,
  pipeline: PipelineName,
  select?: ReadonlySet<string>,
  backfillDays: readonly string[] = [],
): PlannedTask[] {
  if (pipeline === 'maintenance') {
    return [
      { id: 'compact', kind: 'compact', dependsOn: [] },
      { id: 'vacuum', kind: 'vacuum', dependsOn: ['compact'] },
    ];
  }
  const tasks: PlannedTask[] = [];
  const backfill = backfillDays.map((d) => `backfill:${d}`);
  const ingest = [
    ...(pipeline === 'daily' ? project.sources.map((s) => `ingest:${s.name}`) : []),
    ...backfill,
  ];
  for (const day of backfillDays)
    tasks.push({ id: `backfill:${day}`, kind: 'backfill', target: `backfill:${day}`, dependsOn: [] });
  for (const source of pipeline === 'daily' ? project.sources : []) {
    tasks.push({ id: `ingest:${source.name}`, kind: 'ingest', target: source.name, dependsOn: [] });
  }
  for (const name of dag.order) {
    if (select && !select.has(name)) continue;
    const node = dag.nodes.get(name)!;
    const readsBronze = node.reads.some((t) => t.startsWith('bronze.'));
    tasks.push({
      id: `model:${name}`,
      kind: 'model',
      target: name,
      // With a selection, only selected upstream models are tasks of this run.
      dependsOn: [
        ...node.upstream.filter((u) => !select || select.has(u)).map((u) => `model:${u}`),
        ...(readsBronze ? ingest : []),
      ],
    });
  }
  const models = tasks.filter((t) => t.kind === 'model').map((t) => t.id);
  if (select) return tasks; // a selection builds models only
  tasks.push({ id: 'quality', kind: 'quality', dependsOn: models });
  if (pipeline === 'daily') tasks.push({ id: 'serve', kind: 'serve', dependsOn: ['quality'] });
  return tasks;
}

/** Tasks whose dependencies all succeeded and that have not started; and those that can never run. */
export function nextTasks(
  plan: readonly PlannedTask[],
  status: ReadonlyMap<string, 'succeeded' | 'failed' | 'skipped' | 'dispatched'>,
): { ready: PlannedTask[]; skipped: PlannedTask[] } {
  const ready: PlannedTask[] = [];
  const skipped: PlannedTask[] = [];
  for (const task of plan) {
    if (status.has(task.id)) continue;
    const deps = task.dependsOn.map((d) => status.get(d));
    if (deps.some((s) => s === 'failed' || s === 'skipped')) skipped.push(task);
    else if (deps.every((s) => s === 'succeeded')) ready.push(task);
  }
  return { ready, skipped };
}
